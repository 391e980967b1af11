"""Browser tabs reused across sessions of one variant, wiped between sessions.

A new context and page cost the browser ~0.3 CPU-s, more than most of a short session. A tab reused
with its origin's storage cleared (cookies, localStorage, sessionStorage, IndexedDB, cache storage) and
its history reset is, to the site, a new visitor. A tab whose session broke, that ended off the site or
that opened popups is closed, never reused: its state is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from playwright.async_api import Browser, BrowserContext, CDPSession, Page

from agents.browser.chromium import origin_of, origin_proxy

_VIEWPORT = {"width": 1280, "height": 800}
_CLEAR_JS = "() => { localStorage.clear(); sessionStorage.clear(); }"


@dataclass
class Tab:
    context: BrowserContext
    page: Page
    cdp: CDPSession
    reused: bool = False

    async def forget_history(self) -> None:
        """Called once the first page of a session has loaded: Back must not lead into the last session."""
        if self.reused:
            await self.cdp.send("Page.resetNavigationHistory")


class TabPool:
    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self._idle: dict[str, list[Tab]] = {}
        self.created = 0

    async def acquire(self, base_url: str) -> Tab:
        """A clean tab whose context keeps sessions on `base_url`'s origin."""
        idle = self._idle.setdefault(origin_of(base_url), [])
        if idle:
            tab = idle.pop()
            tab.reused = True
            return tab
        self.created += 1
        context = await self.browser.new_context(
            viewport=_VIEWPORT, service_workers="block", proxy=origin_proxy(base_url)
        )
        page = await context.new_page()
        return Tab(context, page, await context.new_cdp_session(page))

    async def release(self, base_url: str, tab: Tab, reusable: bool) -> None:
        """Wipe what the session left on the variant's origin and park the tab, or close it."""
        origin = origin_of(base_url)
        try:
            if reusable and origin_of(tab.page.url) == origin and tab.context.pages == [tab.page]:
                await tab.page.evaluate(
                    _CLEAR_JS
                )  # sessionStorage lives in the tab: only the page can clear it
                await tab.cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
                await tab.context.clear_cookies()
                await tab.page.goto("about:blank")  # nothing of the last page keeps running
                self._idle.setdefault(origin, []).append(tab)
                return
        except Exception:  # noqa: BLE001, S110 - a tab that cannot be wiped is not reused
            pass
        await tab.context.close()

    async def close(self) -> None:
        for tabs in self._idle.values():
            for tab in tabs:
                await tab.context.close()
        self._idle.clear()
