"""The hands and the notebook of a session: performs actions on a page and records what happened."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from agents.browser.chromium import origin_of
from agents.browser.metrics import PanelCache, page_template, web_vitals
from agents.browser.page_view import Button, Field, Item, Link, PageView, changes_state, read_view, selector
from agents.browser.readiness import WATCH_LEAVING_JS, NetworkWatch, SiteNotReady, wait_until_ready
from agents.browser.shots import capture_thumbnail, stored_path

# Where a user would click an element: its centre, scrolled into view first if it is off screen.
_POINT_JS = """
vl => {
  const el = document.querySelector(`[data-vl="${vl}"]`);
  if (!el) return null;
  window.__vlLeaving = false;
  addEventListener('beforeunload', () => { window.__vlLeaving = true; }, {once: true});
  let r = el.getBoundingClientRect();
  if (r.bottom < 0 || r.right < 0 || r.top > innerHeight || r.left > innerWidth) {
    el.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});
    r = el.getBoundingClientRect();
  }
  return [r.left + r.width / 2, r.top + r.height / 2];
}
"""
_LEAVING_JS = "() => window.__vlLeaving === true"
_MAX_A11Y_PAGES = 8
_MAX_LINK_CHECKS = 40


def page_key(url: str) -> str:
    """One page, one key: without an anchor, and a folder's index file is the folder itself
    (`/` and `/index.html` are the same page to a user, so going back to either is a backtrack).

    A fragment that is a path (`#/recipe/7`, `#!/cart`) is a hash-routed app's page, not an anchor:
    it stays in the key.
    """
    url, _, fragment = url.partition("#")
    route = f"#{fragment}" if fragment.lstrip("!").startswith("/") and fragment.strip("!/") else ""
    head, _, leaf = url.rpartition("/")
    return (head + "/" if leaf.lower() in ("index.html", "index.htm") and "://" in head else url) + route


class ElementGone(RuntimeError):
    """The element a persona chose disappeared before it could be clicked."""


class SiteError(RuntimeError):
    """The site failed before the user could try: its first page answered with a server error."""


class Actor:
    def __init__(
        self,
        context: BrowserContext,
        page: Page,
        base_url: str,
        cache: PanelCache,
        shots_dir: Path | None,
        accessibility: bool,
        ready_timeout_s: float,
        open_first: Callable[[str], Awaitable[None]] | None = None,
        headers: dict[str, str] | None = None,
        *,
        artifacts_root: Path,
    ) -> None:
        self.context, self.page, self.base_url, self.cache = context, page, base_url, cache
        self.shots_dir, self.accessibility = shots_dir, accessibility
        self.artifacts_root = artifacts_root  # what a screenshot's recorded path is relative to
        self.ready_timeout_s = ready_timeout_s
        self.network = NetworkWatch(page)
        self.time_to_ready_ms: float | None = None  # the first page's, from navigation to ready
        self._opened_at = 0.0
        self.origin = origin_of(base_url)
        self.t0 = time.monotonic()
        # Time the panel spends measuring (axe-core, web vitals) is not the user's time on the task.
        self._measuring_s = 0.0
        self.actions: list[dict[str, Any]] = []
        self.visited: list[str] = []
        self.backtracks = 0
        self.dead_ends = 0
        self.screenshots: list[str] = []
        self.broken_images: list[str] = []
        self.broken_links: list[str] = []
        self.a11y: dict[str, list[dict[str, Any]]] = {}
        self.lcp_ms: float | None = None
        self.cls: float | None = None
        self.notes: list[str] = []
        self._links_seen: dict[str, None] = {}  # ordered set
        self._doc_status = 200
        self._open_first = open_first  # how the session's first page is loaded (a reused tab wipes itself)
        self._headers = headers  # what the origin's requests carry (a private preview's token)
        page.on("response", self._on_response)

    def detach(self) -> None:
        """Stop listening to the page (it may serve another session next)."""
        self.page.remove_listener("response", self._on_response)
        self.network.detach()

    def _on_response(self, response: Any) -> None:
        if response.request.is_navigation_request() and response.frame == self.page.main_frame:
            self._doc_status = response.status

    @property
    def n_actions(self) -> int:
        # The first page and the end are steps of the replay, not things the user did.
        return sum(1 for a in self.actions if a["type"] not in ("start", "end"))

    def elapsed_ms(self) -> float:
        """The user's time so far: wall time since the start, less what the panel spent measuring."""
        return round((time.monotonic() - self.t0 - self._measuring_s) * 1000, 1)

    def has_seen(self, url: str) -> bool:
        return page_key(url) in self.visited

    def _log(self, kind: str, target: str) -> dict[str, Any]:
        step = {"type": kind, "target": target[:120], "url": self.page.url, "t_ms": self.elapsed_ms()}
        self.actions.append(step)
        return step

    async def start(self) -> PageView:
        self._opened_at = time.monotonic()
        if self._open_first is not None:
            await self._open_first(self.base_url)
        else:
            await self.page.goto(self.base_url, wait_until="load")
        first = self._log("start", self.base_url)
        if self._doc_status >= 500:
            raise SiteError(f"the first page answered HTTP {self._doc_status}")
        try:
            await self._ready()
        except SiteNotReady:
            # A page that never became ready still painted something: its vitals are the site's too.
            with contextlib.suppress(PlaywrightError):
                await self._vitals()
            raise
        await self._vitals()
        await self.screenshot("first-page", first)
        return await self._look()

    async def finish(self, success: bool, duration_ms: float) -> None:
        """The end of the replay: where the user stopped, and what the page showed them there. It is at
        `duration_ms`, the user's time: what the panel does after the task is not theirs."""
        step = self._log("end", "success" if success else "failure")
        step["t_ms"] = duration_ms
        await self.screenshot("success" if success else "failure", step)

    async def _vitals(self) -> None:
        measuring = time.monotonic()
        self.lcp_ms, self.cls = await web_vitals(self.page)
        self._measuring_s += time.monotonic() - measuring

    async def click(self, element: Link | Item | Button, kind: str = "click") -> PageView:
        step = self._log(kind, element.caption or selector(element))
        # A real mouse click at the element's centre, located by our own page read. A locator click
        # installs Playwright's injected script in every new document and waits for the element to be
        # stable: ~50 ms of browser CPU per click, a third of a navigation. Whatever covers the
        # element gets the click, as it would for a user.
        point = await self.page.evaluate(_POINT_JS, element.vl)
        if point is None:
            raise ElementGone(f"'{element.caption or selector(element)}' is no longer on the page")
        loaded: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_load(_: object) -> None:
            if not loaded.done():
                loaded.set_result(None)

        self.page.on("load", on_load)  # listening before the click: a fast page cannot load unseen
        try:
            await self.page.mouse.click(*point)
            await self._settle_click(loaded)
        finally:
            self.page.remove_listener("load", on_load)
        view = await self._arrived()
        if kind == "submit":  # what a submit led to is what an analyst looks for in a replay
            await self.screenshot("submit", step)
        return view

    async def _settle_click(self, loaded: asyncio.Future[None]) -> None:
        """Wait for the new document if the click started a navigation, else let readiness watch the page.

        _POINT_JS set a `beforeunload` flag: a navigation the click started has already run it by the
        time the click returns (the renderer handles the click before acknowledging it). A document
        that is gone also means the click navigated. A changed URL alone does not: a hash or history
        change (an app's router) loads no document, and waiting for its load event cost 5 s a click.
        """
        try:
            leaving = await self.page.evaluate(_LEAVING_JS)
        except PlaywrightError:  # the old document's context was destroyed: the new one is arriving
            leaving = True
        if not leaving:
            # An in-page update, a route change, or a navigation that starts after the click is
            # acknowledged (a native form submit): readiness (`_arrived`) watches the document until it
            # is still or replaced, and a new document until it has loaded.
            return
        with contextlib.suppress(TimeoutError):  # a slow page is read as it stands after 5 s
            await asyncio.wait_for(asyncio.shield(loaded), 5.0)

    async def fill(self, element: Field, value: str) -> None:
        shown = "***" if element.type == "password" else value  # never log a password
        self._log("fill", f"{element.caption}={shown}")
        await self.page.locator(selector(element)).first.fill(value, timeout=5000)
        await self._ready()  # typing may fetch (live search, availability checks) or validate

    async def check(self, element: Field) -> None:
        self._log("check", element.caption or "checkbox")
        await self.page.locator(selector(element)).first.check(timeout=5000)
        await self._ready()

    async def select(self, element: Field, value: str) -> PageView:
        self._log("select", f"{element.caption}={value}")
        await self.page.evaluate(WATCH_LEAVING_JS)
        await self.page.locator(selector(element)).first.select_option(value=value, timeout=5000)
        await self._settle()
        return await self._arrived()

    async def press_enter(self, element: Field) -> PageView:
        self._log("press", "Enter")
        await self.page.evaluate(WATCH_LEAVING_JS)
        await self.page.locator(selector(element)).first.press("Enter", timeout=5000)
        await self._settle()
        return await self._arrived()

    async def goto(self, url: str, target: str) -> PageView:
        self._log("goto", target)
        await self.page.goto(url, wait_until="load")
        return await self._arrived()

    async def back(self) -> PageView:
        self._log("back", "browser back")
        await self.page.go_back(wait_until="load")
        return await self._arrived()

    async def view(self, wait_ms: int = 0) -> PageView:
        """Look at the page again (after `wait_ms`, as a user gives slow results a moment)."""
        if wait_ms:
            await self.page.wait_for_timeout(wait_ms)
        return await read_view(self.page)

    async def screenshot(self, label: str, step: dict[str, Any]) -> None:
        """A thumbnail of the page as it is now, named in `step` (agents/browser/shots.py).

        Only at the steps an analyst looks at (first page, submits, end): a shot costs ~35 ms of the
        browser, and it is the panel's time, not the user's, so it is not in the session's duration.
        """
        if self.shots_dir is None:
            return
        path = self.shots_dir / f"{len(self.screenshots):02d}-{label}.jpg"
        measuring = time.monotonic()
        try:
            await capture_thumbnail(self.page, path)
        except Exception as exc:  # noqa: BLE001 - a missing screenshot must not fail the session
            self.notes.append(f"screenshot {label} failed: {exc}")
        else:
            step["shot"] = stored_path(path, self.artifacts_root)
            self.screenshots.append(step["shot"])
        finally:
            self._measuring_s += time.monotonic() - measuring

    async def _settle(self) -> None:
        # A navigation the action started is waited for here; an in-page update, or a navigation that
        # starts late, by readiness (`_arrived`), which also sees the document replaced.
        with contextlib.suppress(PlaywrightTimeout):  # a slow page is read as it stands after 5 s
            await self.page.wait_for_load_state("load", timeout=5000)

    async def _ready(self) -> None:
        """Wait for the page to be ready (agents/browser/readiness.py); a page that never is ends the session."""
        readiness = await wait_until_ready(self.page, self.network, self.ready_timeout_s)
        self.actions[-1]["ready_ms"] = readiness.waited_ms
        if self.time_to_ready_ms is None:
            self.time_to_ready_ms = round((time.monotonic() - self._opened_at) * 1000, 1)
        if not readiness.ready:
            raise SiteNotReady(readiness, self.ready_timeout_s)

    async def _arrived(self) -> PageView:
        url = self.page.url.split("#")[0]
        if origin_of(url) != self.origin and self.visited:
            # The navigation left the variant and was blocked (an error page): a dead end; go back.
            self.dead_ends += 1
            self._log("back", f"blocked page outside the site: {url}")
            await self.page.go_back(wait_until="load")
            if (
                origin_of(self.page.url) != self.origin
            ):  # history held nothing of the site: reopen the last page
                await self.page.goto(self.visited[-1], wait_until="load")
        await self._ready()
        return await self._look()

    async def _look(self) -> PageView:
        """Read the page the user has in front of them, and count how they got there."""
        url = self.page.url.split("#")[0]
        key = page_key(self.page.url)
        if self.visited and key != self.visited[-1] and key in self.visited:
            self.backtracks += 1
        view = await read_view(self.page)
        if key not in self.visited:
            self.visited.append(key)
            await self._inspect(url, view)
        if self._doc_status >= 400 or not (view.links or view.buttons or view.inputs):
            self.dead_ends += 1
        return view

    async def _inspect(self, url: str, view: PageView) -> None:
        """First visit of a page: broken images, accessibility (once per template per panel), links to check."""
        # Images from other origins are blocked by the panel's own guard: not the site's breakage.
        self.broken_images += [
            src for src in view.broken_images if origin_of(src) == self.origin and src not in self.broken_images
        ]
        template = page_template(url)
        if self.accessibility and template not in self.a11y and len(self.a11y) < _MAX_A11Y_PAGES:
            measuring = time.monotonic()
            self.a11y[template] = await self.cache.axe_for(self.page)
            self._measuring_s += time.monotonic() - measuring
        for href in view.hrefs:
            href = urljoin(url, href).split("#")[0]
            # A delete or log-out link is never requested, not even with HEAD: it would act.
            if origin_of(href) == self.origin and len(self._links_seen) < _MAX_LINK_CHECKS and not changes_state(href):
                self._links_seen.setdefault(href, None)

    def violations(self) -> list[dict[str, Any]]:
        """Accessibility violations on the pages this user saw, one per rule: a defect in the shared
        layout is one defect however many pages a path crosses (a longer path is not less accessible)."""
        by_rule: dict[str, dict[str, Any]] = {}
        for found in self.a11y.values():
            for v in found:
                by_rule.setdefault(v["id"], v)
        return list(by_rule.values())

    async def check_links(self) -> None:
        """Status of every same-origin link seen (bounded), checked together once the task is over."""
        hrefs = list(self._links_seen)
        statuses = await asyncio.gather(*(self.cache.link_status(h, self._headers) for h in hrefs))
        self.broken_links = [h for h, status in zip(hrefs, statuses, strict=True) if status >= 400]
