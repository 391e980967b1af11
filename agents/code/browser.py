"""One headless Chromium shared by every behavioural check of the process, on its own event loop.

A solve runs its checks from several threads at once; each check gets its own browser context (its
own cookies and storage) in the one browser, which is launched on first use and closed at exit.
Launching a browser per check would cost more than the check itself. Which Chromium is the browser
settings of the check that launches it (every check of a process hands in the same ones).
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any, TypeVar

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

from agents.browser.chromium import launch, origin_proxy
from settings import BrowserSettings

T = TypeVar("T")


class SharedBrowser:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pw: Playwright | None = None
        self._browser: Browser | None = None
        self._starting: asyncio.Lock | None = None

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="checks-browser", daemon=True).start()
                self._loop = loop
                atexit.register(self.close)
            return self._loop

    async def _get(self, settings: BrowserSettings) -> Browser:
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._browser is None or not self._browser.is_connected():
                if self._pw is None:
                    self._pw = await async_playwright().start()
                self._browser = await launch(self._pw, settings)
            return self._browser

    async def _in_context(self, url: str, headers: dict[str, str], work: Callable[[BrowserContext], Awaitable[T]],
                          settings: BrowserSettings) -> T:
        browser = await self._get(settings)
        context = await browser.new_context(extra_http_headers=headers or None, proxy=origin_proxy(url),
                                            viewport={"width": 1280, "height": 900})
        try:
            return await work(context)
        finally:
            await context.close()

    def run(self, url: str, headers: dict[str, str], work: Callable[[BrowserContext], Awaitable[T]],
            timeout_s: float, browser: BrowserSettings) -> T:
        """Run `work` in a fresh context that can reach only the origin of `url`; `browser` (the caller's
        browser settings) says which Chromium to launch when none is running yet."""
        loop = self._ensure_loop()
        future = asyncio.run_coroutine_threadsafe(self._in_context(url, headers, work, browser), loop)
        return future.result(timeout=timeout_s)

    def close(self) -> None:
        loop = self._loop
        if loop is None or not loop.is_running():
            return

        async def shutdown() -> Any:
            if self._browser is not None:
                await self._browser.close()
            if self._pw is not None:
                await self._pw.stop()

        # At exit, a browser already gone (or too slow to say so) is fine.
        with suppress(Exception):
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)


SHARED = SharedBrowser()
