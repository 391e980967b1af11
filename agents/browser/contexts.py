"""Browser tabs reused across sessions of one variant, wiped between sessions.

A new context and page cost the browser ~0.3 CPU-s, more than most of a short session. A reused tab
is, to the site, a new visitor: its origin's cookies and storage (localStorage, sessionStorage,
IndexedDB, cache storage), the HTTP cache and `window.name` are cleared and its history is reset.
A tab whose session broke, that ended off the site or that opened popups is closed, never reused:
its state is unknown.

The wipe happens as the next session opens its first page, not when the last one ends. The last page
keeps its document until then, so whatever it writes on its way out (timers, `pagehide` and
`unload` handlers) is written before the wipe or is caught by it: cookies and origin storage are
cleared just before the navigation, and a script that runs in the new document before any of the
site's own clears what the old page wrote while it was being replaced. Parking tabs on about:blank
instead cost two extra navigations per session, an eighth of the panel's CPU.
"""

from __future__ import annotations

from dataclasses import dataclass

from playwright.async_api import Browser, BrowserContext, CDPSession, Page

from agents.browser.chromium import origin_of, origin_proxy

_VIEWPORT = {"width": 1280, "height": 800}
# Runs in the session's first document before the site's scripts: storage written by the previous
# page is gone before the site can read it. Cookies are not touched here: by now the first response
# has set its own (a CSRF token the page's forms need, a session), and a script cannot tell those from
# a last visitor's; the last visitor's page is unloaded and its cookies cleared before this navigation.
_WIPE_ON_ARRIVAL_JS = """
(() => {
  window.name = '';  // survives navigations in a tab: a previous visitor's page could have set it
  try { localStorage.clear(); } catch (e) {}
  try { sessionStorage.clear(); } catch (e) {}
})();
"""


@dataclass
class Tab:
    context: BrowserContext
    page: Page
    cdp: CDPSession
    origin: str
    reused: bool = False

    async def open(self, url: str) -> None:
        """Load the session's first page; on a reused tab, wipe the last visitor on the way in."""
        if not self.reused:
            await self.page.goto(url, wait_until="load")
            return
        # The last visitor's page unloads first (its timers stop, its unload handlers write what they
        # write), then everything it left is cleared: nothing can write after the wipe.
        await self.page.goto("about:blank")
        await self.context.clear_cookies()
        await self.cdp.send("Storage.clearDataForOrigin", {"origin": self.origin, "storageTypes": "all"})
        # A new visitor has an empty HTTP cache too: no ETag of the last one's, no page that loads
        # faster because someone else fetched its scripts.
        await self.cdp.send("Network.clearBrowserCache")
        wipe = await self.page.add_init_script(_WIPE_ON_ARRIVAL_JS)
        try:
            await self.page.goto(url, wait_until="load")
        finally:
            await wipe.close()  # later pages of the session keep what the site stores
        # Back must not lead into the last session.
        await self.cdp.send("Page.resetNavigationHistory")


class TabPool:
    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self._idle: dict[str, list[Tab]] = {}
        self.created = 0

    async def acquire(self, base_url: str, headers: dict[str, str] | None = None) -> Tab:
        """A tab whose context keeps sessions on `base_url`'s origin; `Tab.open` makes it clean.

        `headers` go with every request of the context (a private preview's access token); the
        context's proxy keeps them from leaving the origin.
        """
        origin = origin_of(base_url)
        idle = self._idle.setdefault(origin, [])
        if idle:
            tab = idle.pop()
            tab.reused = True
            return tab
        self.created += 1
        context = await self.browser.new_context(
            viewport=_VIEWPORT,
            service_workers="block",
            proxy=origin_proxy(base_url),
            extra_http_headers=headers or None,
        )
        page = await context.new_page()
        return Tab(context, page, await context.new_cdp_session(page), origin)

    async def release(self, tab: Tab, reusable: bool) -> None:
        """Park the tab for the next session on its origin, or close it if its state is unknown."""
        try:
            if reusable and origin_of(tab.page.url) == tab.origin and tab.context.pages == [tab.page]:
                self._idle.setdefault(tab.origin, []).append(tab)
                return
        except Exception:  # noqa: BLE001, S110 - a tab that cannot be inspected is not reused
            pass
        await tab.context.close()

    async def close(self) -> None:
        for tabs in self._idle.values():
            for tab in tabs:
                await tab.context.close()
        self._idle.clear()
