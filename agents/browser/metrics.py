"""Page-quality measurements a session takes along the way: web vitals, broken images/links, axe-core."""

from __future__ import annotations

import asyncio
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import axe_playwright_python
from playwright.async_api import APIRequestContext, Page

# LCP and CLS of the landing page, read once the page has been still (no new LCP candidate, no
# layout shift) for 300 ms, at most 2.5 s after load: a banner or hero that arrives late counts, as
# it would for a user still looking at the page. Read 30 ms after load, both missed everything late.
_VITALS_JS = """
() => new Promise(resolve => {
  const QUIET_MS = 300, CAP_MS = 2500, started = performance.now();
  let lcp = null, cls = 0, last = started;
  try { new PerformanceObserver(list => {
          for (const e of list.getEntries()) lcp = e.renderTime || e.loadTime || e.startTime;
          last = performance.now();
        }).observe({type: 'largest-contentful-paint', buffered: true}); } catch (e) {}
  try { new PerformanceObserver(list => {
          for (const e of list.getEntries()) if (!e.hadRecentInput) cls += e.value;
          last = performance.now();
        }).observe({type: 'layout-shift', buffered: true}); } catch (e) {}
  const tick = () => {
    const now = performance.now();
    if (now - last >= QUIET_MS || now - started >= CAP_MS) resolve({lcp, cls});
    else setTimeout(tick, 50);
  };
  setTimeout(tick, 50);
})
"""
_AXE_JS_PATH = Path(axe_playwright_python.__file__).parent / "axe.min.js"
# Only real violations, and only the rule sets users feel; keeps one axe run around 100 ms.
_AXE_RUN_JS = """
() => axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'best-practice']}})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length})))
"""


@cache
def _axe_source() -> str:
    return _AXE_JS_PATH.read_text(encoding="utf-8")


def page_template(url: str) -> str:
    """Pages built from one template share their accessibility problems: products/a.html ~ products/b.html.

    axe costs ~0.3 s a page, so a panel runs it once per template (root files keep their own key,
    with page numbers folded: page-2.html ~ page-3.html).
    """
    parts = urlsplit(url)
    folder, _, leaf = parts.path.rpartition("/")
    leaf = "*" if folder.strip("/") else re.sub(r"\d+", "#", leaf)
    return f"{parts.scheme}://{parts.netloc}{folder}/{leaf}"


async def web_vitals(page: Page) -> tuple[float | None, float | None]:
    values = await page.evaluate(_VITALS_JS)
    lcp = values.get("lcp")
    return (round(lcp, 1) if lcp is not None else None, round(values.get("cls") or 0.0, 4))


class PanelCache:
    """What sessions of one panel share: axe results per page and link statuses (pages don't change mid-panel).

    Link checks go through `client`, an HTTP client of the panel's own without the contexts' origin
    proxy: the links checked are same-origin by construction (`Actor._inspect`), and Playwright's
    HTTP client matches a proxy bypass list by host name only, so through a context's proxy
    (`host:port` bypass entries) every check reached the dead proxy and every link read as broken.
    """

    def __init__(self, client: APIRequestContext | None = None) -> None:
        self.axe: dict[str, list[dict[str, Any]]] = {}
        self.links: dict[str, asyncio.Future[int]] = {}
        self._axe_locks: dict[str, asyncio.Lock] = {}
        self.client = client

    async def axe_for(self, page: Page) -> list[dict[str, Any]]:
        url = page.url.split("#")[0]
        key = page_template(url)
        async with self._axe_locks.setdefault(key, asyncio.Lock()):
            if key not in self.axe:
                # evaluate() of the bundled source is faster than add_script_tag and is not subject to CSP.
                await page.evaluate(_axe_source())
                found = await page.evaluate(_AXE_RUN_JS)
                self.axe[key] = [dict(v, url=url) for v in found]
        return self.axe[key]

    async def link_status(self, url: str, headers: dict[str, str] | None = None) -> int:
        """The link's HTTP status (599: unreachable); `headers` are the origin's (a preview token)."""
        if self.client is None:
            raise RuntimeError("this panel cache has no HTTP client for link checks")
        # One check per URL per panel, shared by concurrent sessions through the pending future.
        if url not in self.links:
            self.links[url] = asyncio.ensure_future(_fetch_status(self.client, url, headers))
        return await self.links[url]


async def _fetch_status(request: APIRequestContext, url: str, headers: dict[str, str] | None) -> int:
    try:
        response = await request.head(url, headers=headers, timeout=5000, max_redirects=0)
        if response.status >= 400:  # servers that mishandle HEAD (405, 501, or a 404 for a GET route) get a GET
            response = await request.get(url, headers=headers, timeout=5000, max_redirects=0)
        return response.status
    except Exception:  # noqa: BLE001 - a link that cannot be fetched at all is broken
        return 599
