"""The system Chromium: found on disk (never downloaded), launched headless, one per panel."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Browser, Playwright

from settings import BrowserSettings

_DISABLED_FEATURES = (
    # Fewer processes: one renderer per site isolation is what costs most CPU when every session opens
    # pages of the same loopback sites; the panel's origin guard is the context proxy, not process isolation.
    "site-per-process",
    "IsolateOrigins",
    # Nothing that calls home or prompts.
    "Translate",
    "MediaRouter",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "PreconnectToSearch",
    "AimEnabled",
    "LensOverlay",
    "DestroyProfileOnBrowserClose",
    # A site is seen as served: no HTTPS upgrade of its http:// links.
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "ThirdPartyStoragePartitioning",
    # PaintHolding stays on (Playwright turns it off): it is what users' browsers do, and it saves a
    # paint per same-site navigation.
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    # Chromium honours only the last --disable-features, and this one replaces Playwright's own: it
    # repeats the features Playwright turns off that call home or rewrite what a page asked for (HTTPS
    # upgrades, search preconnects, network time), and adds ours.
    "--disable-features=" + ",".join(_DISABLED_FEATURES),
    "--renderer-process-limit=2",
    "--in-process-gpu",
    "--mute-audio",
    "--disable-breakpad",
    "--disable-default-apps",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--password-store=basic",
]
# Chromium's headless shell first: it is what Playwright itself launches for headless Chromium (the
# "old" headless mode, without the full browser's UI and window compositing behind it). On the
# browser bench it halves the machine's CPU per session (1.1 s -> 0.57 s) for the same page behaviour.
# Debian's /usr/bin/chromium-headless-shell is a wrapper that keeps a shell as the browser's parent,
# so its real binary is tried before it. The full browser is the fallback.
_HEADLESS_SHELLS = ("/usr/lib/chromium/chromium-headless-shell", "chromium-headless-shell", "headless_shell")
_FULL_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Where `playwright install chromium` puts its builds (tools/system-deps.sh falls back to that).
_PLAYWRIGHT_BUILDS = ("chromium_headless_shell-*/chrome-*/*headless_shell", "chromium-*/chrome-*/chrome")


# 127.0.0.1:9 is the discard port, closed on any machine without inetd: connections are refused at once.
_DEAD_PROXY = "127.0.0.1:9"


class BrowserError(RuntimeError):
    """The browser could not be started or the target could not be reached."""


def chromium_path(browser: BrowserSettings) -> str:
    """The Chromium the panel drives: the configured one (the caller's browser settings), else the
    headless shell, else a full browser."""
    configured = browser.chromium_path
    if configured:
        if not Path(configured).is_file():
            raise BrowserError(f"settings.browser.chromium_path {configured!r} does not exist")
        return configured
    for name in (*_HEADLESS_SHELLS, *_FULL_BROWSERS):
        found = _executable(name)
        if found:
            return found
    for pattern in _PLAYWRIGHT_BUILDS:
        builds = sorted(_playwright_browsers_dir().glob(pattern))
        if builds:
            return str(builds[-1])
    raise BrowserError(
        "no Chromium found (looked for chromium-headless-shell, chromium, chromium-browser, google-chrome "
        "on PATH); install the Debian packages 'chromium-headless-shell' or 'chromium', "
        "or set VARIANTLAB_BROWSER__CHROMIUM_PATH"
    )


def _executable(name: str) -> str | None:
    if "/" in name:
        return name if os.access(name, os.X_OK) and Path(name).is_file() else None
    return shutil.which(name)


def _playwright_browsers_dir() -> Path:
    # Read when a browser is looked for, never at import time.
    configured = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    return Path(configured) if configured and configured != "0" else Path.home() / ".cache" / "ms-playwright"


async def launch(pw: Playwright, browser: BrowserSettings) -> Browser:
    return await pw.chromium.launch(executable_path=chromium_path(browser), headless=True, args=CHROMIUM_ARGS)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_proxy(base_url: str) -> dict[str, str]:
    """A context proxy that keeps a session on the variant's origin.

    Everything except the variant's host:port is sent to a proxy address where nothing listens, so
    it fails inside Chromium: links, scripts, subresources and server redirects alike (a route
    handler never sees redirect hops, this does). `<-loopback>` removes Chromium's implicit loopback
    bypass, otherwise other ports on 127.0.0.1 would stay reachable. No request makes a round trip
    through Python.
    """
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return {"server": f"http://{_DEAD_PROXY}", "bypass": f"<-loopback>,{parts.hostname}:{port}"}


def is_blocked(failure: str | None) -> bool:
    return bool(failure) and (
        "ERR_PROXY_CONNECTION_FAILED" in failure or "ERR_TUNNEL_CONNECTION_FAILED" in failure
    )


def check_reachable(url: str, headers: dict[str, str] | None = None) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BrowserError(f"not an http(s) URL: {url!r}")
    try:
        response = httpx.get(url, headers=headers, timeout=5.0, follow_redirects=True)
    except httpx.ConnectError:
        raise BrowserError(f"cannot reach {url}: connection refused") from None
    except httpx.HTTPError as exc:
        raise BrowserError(f"cannot reach {url}: {type(exc).__name__}: {exc}") from None
    if response.status_code in (401, 403):
        # A private preview without its token: every session would meet the same refusal.
        hint = "" if headers else " (a private preview needs its access headers)"
        raise BrowserError(f"cannot reach {url}: HTTP {response.status_code}{hint}")
