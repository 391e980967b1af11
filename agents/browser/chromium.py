"""The system Chromium: found on disk (never downloaded), launched headless, one per panel."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Browser, Playwright

from db.settings import get_settings

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
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


# 127.0.0.1:9 is the discard port, closed on any machine without inetd: connections are refused at once.
_DEAD_PROXY = "127.0.0.1:9"


class BrowserError(RuntimeError):
    """The browser could not be started or the target could not be reached."""


def chromium_path() -> str:
    configured = get_settings().browser.chromium_path
    if configured:
        if not Path(configured).is_file():
            raise BrowserError(f"settings.browser.chromium_path {configured!r} does not exist")
        return configured
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserError("no Chromium found (looked for chromium, chromium-browser, google-chrome on PATH)")


async def launch(pw: Playwright) -> Browser:
    return await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)


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
