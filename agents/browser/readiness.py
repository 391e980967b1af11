"""When a page is ready for a user to act on it, and how long that took.

A page is ready when its document has been parsed, it shows something, no loading placeholder is visible
(`aria-busy="true"`, an indeterminate progress bar, a spinner, skeleton or loader class, a short
"Loading…" text), no fetch/XHR of the page is in flight, and the DOM has then been still for a short
window. A single-page app that fetches its content after load is read once the content is there, not
as its empty shell; a page that is already still costs one quiet window (80 ms).

The wait is bounded. A page still loading at the bound was never ready: the site failed the user, the
user did not fail the task. A DOM that keeps changing with nothing else in the way (a clock, a
carousel) is ready after 1.5 s: movement alone is not loading. A request in flight for over 5 s is
long-lived (long polling, a stream), not loading.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Request

_QUIET_MS = 80
_MOVING_CAP_MS = 1500
_LONG_LIVED_S = 5.0
# A click or key press that started a navigation is waited for this long before the old document is
# read as it stands (a download or a 204 answer starts a navigation that never replaces the page).
_LEAVING_CAP_MS = 5000

# Resolves with null when the page is ready (the only blocker left may be the network, checked by the
# caller), or with what was still in the way when the budget ran out. What is in the way is read again
# only after the DOM changed: a tick of an unchanged page costs nothing.
_READY_JS = r"""
({quietMs, movingCapMs, leavingCapMs, budgetMs}) => new Promise(resolve => {
  const start = performance.now();
  let last = start, dirty = true, blocker = null, clearSince = null;
  const observer = new MutationObserver(() => { last = performance.now(); dirty = true; });
  observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const shown = el => {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false;
    return !el.checkVisibility || el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  };
  const describe = el => {
    const attrs = ['class', 'role', 'aria-busy'].filter(a => el.hasAttribute(a))
      .map(a => ` ${a}="${el.getAttribute(a).slice(0, 60)}"`).join('');
    const text = (el.innerText || '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return `<${el.tagName.toLowerCase()}${attrs}>${text}`;
  };
  const PLACEHOLDER_CLASS = /(^|[-_])(spinner|spinning|skeleton|loading|loader|shimmer)([-_]|$)/i;
  const PLACEHOLDER_TEXT = /^(loading|please wait|fetching)\b.{0,30}(\.\.\.|…)$|^(loading|please wait)$/i;
  const placeholder = () => {
    const candidates = document.querySelectorAll(
      '[aria-busy="true"], [role="progressbar"]:not([aria-valuenow]), progress:not([value]), ' +
      '[class*="spin" i], [class*="skeleton" i], [class*="loading" i], [class*="loader" i], ' +
      '[class*="shimmer" i], .animate-pulse');
    for (const el of candidates) {
      const marked = el.matches('[aria-busy="true"], [role="progressbar"]:not([aria-valuenow]), progress:not([value])');
      // Class names count by whole word (camelCase split): "is-loading", "LoadingSpinner", not "unloaded".
      const named = el.classList.contains('animate-spin') || el.classList.contains('animate-pulse') ||
        Array.from(el.classList).some(c => PLACEHOLDER_CLASS.test(c.replace(/([a-z])([A-Z])/g, '$1-$2')));
      if ((marked || named) && shown(el)) return `a loading placeholder is shown: ${describe(el)}`;
    }
    const walker = document.createTreeWalker(document.body || document, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.data.trim();
      if (!text || text.length > 60 || !PLACEHOLDER_TEXT.test(text)) continue;
      const el = node.parentElement;
      if (el && !el.closest('script, style, noscript, template, option, textarea') && shown(el)) {
        return `a loading text is shown: ${describe(el)}`;
      }
    }
    return null;
  };
  const inTheWay = () => {
    // Parsed is enough: the actor waits for the load event itself, up to a point, and a page whose
    // last image never arrives is still a page a user can use.
    if (document.readyState === 'loading') return 'the document is still loading';
    // Nothing to see: no text, no media, no control (text inside web components' shadow roots is not
    // in innerText, so a page of components is not empty).
    const body = document.body;
    if (!body || (!body.innerText.trim() &&
                  !body.querySelector('img, svg, canvas, video, iframe, object, embed, input, select, textarea, button') &&
                  !Array.from(body.querySelectorAll('*')).some(el => el.shadowRoot))) {
      return 'the page shows nothing';
    }
    return placeholder();
  };
  const finish = found => { observer.disconnect(); resolve(found); };
  const tick = () => {
    const now = performance.now();
    if (window.__vlLeaving === true && now - start < leavingCapMs) {
      // A navigation is under way: this document is about to be replaced.
      if (now - start >= budgetMs) return finish('the page is being replaced');
      setTimeout(tick, 25);
      return;
    }
    if (dirty) { dirty = false; blocker = inTheWay(); }
    if (blocker) clearSince = null; else if (clearSince === null) clearSince = now;
    if (!blocker && (now - last >= quietMs || now - clearSince >= movingCapMs)) return finish(null);
    if (now - start >= budgetMs) return finish(blocker);
    // Look again when the quiet window would end (nothing in the way), else in 25 ms.
    setTimeout(tick, blocker ? 25 : Math.max(5, Math.min(25, quietMs - (now - last))));
  };
  tick();
})
"""
# Before an action that may navigate: a flag the new page's arrival (or readiness) can read.
WATCH_LEAVING_JS = """
() => {
  window.__vlLeaving = false;
  addEventListener('beforeunload', () => { window.__vlLeaving = true; }, {once: true});
}
"""


@dataclass(frozen=True)
class Readiness:
    ready: bool
    waited_ms: float
    blocker: str = ""  # what was still in the way when the bound ran out


class SiteNotReady(RuntimeError):
    """The page never became ready within the bound: the site's failure, not the user's."""

    def __init__(self, readiness: Readiness, timeout_s: float) -> None:
        self.readiness, self.timeout_s = readiness, timeout_s
        super().__init__(f"the page never became ready within {timeout_s:g} s")


class NetworkWatch:
    """The page's own fetch/XHR requests in flight, followed through the browser's request events."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self._in_flight: dict[Request, float] = {}
        self._settled = asyncio.Event()
        self._settled.set()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def detach(self) -> None:
        for event, handler in (
            ("request", self._started),
            ("requestfinished", self._ended),
            ("requestfailed", self._ended),
        ):
            self.page.remove_listener(event, handler)

    def _started(self, request: Request) -> None:
        try:
            if request.resource_type not in ("fetch", "xhr") or request.frame != self.page.main_frame:
                return
        except PlaywrightError:  # a worker's request has no frame: not the page's
            return
        self._in_flight[request] = time.monotonic()
        self._settled.clear()

    def _ended(self, request: Request) -> None:
        if self._in_flight.pop(request, None) is not None and not self._in_flight:
            self._settled.set()

    def _young(self) -> dict[Request, float]:
        now = time.monotonic()
        return {r: since for r, since in self._in_flight.items() if now - since < _LONG_LIVED_S}

    def pending(self) -> list[str]:
        """URLs of requests in flight that are not long-lived."""
        return [r.url for r in self._young()]

    async def settle(self, deadline: float) -> bool:
        """Wait until nothing but long-lived requests is in flight, or the deadline passes."""
        while young := self._young():
            # Until the next change: all done, the oldest young request turning long-lived, or the deadline.
            step = min(deadline, min(young.values()) + _LONG_LIVED_S) - time.monotonic()
            if deadline - time.monotonic() <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._settled.wait(), max(step, 0.01))
        return True


async def wait_until_ready(page: Page, network: NetworkWatch, timeout_s: float) -> Readiness:
    """Wait, at most `timeout_s`, until the page is ready for a user to act on it."""
    started = time.monotonic()
    deadline = started + timeout_s

    def waited() -> float:
        return round((time.monotonic() - started) * 1000, 1)

    blocker = ""
    while (left := deadline - time.monotonic()) > 0:
        args = {
            "quietMs": _QUIET_MS,
            "movingCapMs": _MOVING_CAP_MS,
            "leavingCapMs": _LEAVING_CAP_MS,
            "budgetMs": left * 1000,
        }
        try:
            # The page's own thread may be too busy to answer: that is not being ready either.
            found = await asyncio.wait_for(page.evaluate(_READY_JS, args), left + 1.0)
        except TimeoutError:
            return Readiness(False, waited(), "the page did not respond")
        except PlaywrightError:
            # The document was replaced while being watched (a navigation): watch the new one once loaded.
            blocker = "the page kept navigating"
            try:
                await page.wait_for_load_state("load", timeout=max(left * 1000, 1))
            except PlaywrightError:
                return Readiness(False, waited(), "the page did not finish loading")
            continue
        if found:
            return Readiness(False, waited(), found)
        if not (pending := network.pending()):
            return Readiness(True, waited())
        blocker = f"{len(pending)} request(s) still in flight, e.g. {pending[0]}"
        if not await network.settle(deadline):
            return Readiness(False, waited(), blocker)
        # The responses may render something: look at the page again.
    return Readiness(False, waited(), blocker or "no time left to look at the page")
