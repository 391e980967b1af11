"""What a session measures is the site's doing and the user's time, not the panel's.

Each test here failed before its fix: reused tabs passed window.name and the HTTP cache to the next
visitor, web vitals were read 30 ms after load, one layout defect counted once per page crossed,
the panel's measuring time was the user's time, and `/` and `/index.html` were two pages.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agents.browser.metrics import PanelCache
from agents.browser.panel import run_panel
from agents.schemas import FlowSpec, TaskSpec
from settings import Settings
from tests.agents.browser.conftest import serve

pytestmark = pytest.mark.browser


def flow(kind: str, order: int = 1, **params: object) -> FlowSpec:
    return FlowSpec(name=f"{kind} {order}", description="", instructions="", order=order,
                    task=TaskSpec(kind=kind, params=params))


FRESH = flow("find_item", item_name="Fresh visitor", add_to_cart=False)


def _site(root: Path, pages: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, html in pages.items():
        (root / name).write_text(f'<!doctype html><html lang="en"><head><title>{name}</title></head>'
                                 f"<body>{html}</body></html>")
    return root


@pytest.fixture
def window_name_site(tmp_path: Path) -> Iterator[str]:
    """Greets a returning visitor by what the last visitor's page left in window.name."""
    root = _site(tmp_path / "wn", {
        "index.html": '<main><h1>Home</h1></main><script>const a = document.createElement("a"); a.href = "item.html";'
                      'a.textContent = window.name.includes("seen") ? "Returning visitor" : "Fresh visitor";'
                      'document.querySelector("main").append(a);</script>',
        "item.html": '<h1>Fresh visitor</h1><a href="index.html">home</a><script>window.name = "seen";</script>',
    })
    url, server = serve(root)
    yield url
    server.shutdown()


class _ETagHome(BaseHTTPRequestHandler):
    """Tells a returning visitor by the ETag its HTTP cache sends back."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/item"):
            body = '<h1>Fresh visitor</h1><a href="/">home</a>'
        else:
            label = "Returning visitor" if "If-None-Match" in self.headers else "Fresh visitor"
            body = f'<h1>Home</h1><a href="/item">{label}</a>'
        data = f'<!doctype html><html lang="en"><title>t</title><main>{body}</main></html>'.encode()
        self.send_response(200)
        for name, value in (("Content-Type", "text/html"), ("ETag", '"v1"'), ("Cache-Control", "no-cache"),
                            ("Content-Length", str(len(data)))):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_HEAD = do_GET


@pytest.fixture
def etag_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ETagHome)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_every_visitor_on_a_reused_tab_is_a_new_visitor(window_name_site: str, etag_site: str,
                                                        tmp_path: Path, settings: Settings) -> None:
    results = run_panel({"wn": window_name_site, "etag": etag_site}, [FRESH], sessions_per_flow=4,
                        concurrency=1, artifacts_dir=tmp_path, settings=settings)
    reused = [r for r in results if "tab reused" in r.raw_logs]
    assert len(reused) >= 4  # one context per variant, reused by its later sessions
    assert all(r.success for r in results), [(r.variant_key, r.summary) for r in results]


def test_late_content_counts_in_the_landing_page_vitals(tmp_path: Path, settings: Settings) -> None:
    root = _site(tmp_path / "vitals", {
        "index.html": '<p>Loading...</p><a href="a.html">Page A</a><div id="content"></div><script>'
                      # Two frames first: the banner must shift a page already painted, however
                      # slowly a loaded machine paints it; the hero follows 200 ms later.
                      "addEventListener('load', () => requestAnimationFrame(() => requestAnimationFrame(() => {"
                      "setTimeout(() => { const b = document.createElement('div'); b.style.height = '300px';"
                      "b.textContent = 'Banner'; document.body.prepend(b); }, 200);"
                      "setTimeout(() => { const h = document.createElement('h1'); h.style.fontSize = '120px';"
                      "h.textContent = 'Big hero headline arrives late';"
                      # ...and replaces the loading line, as a page's content does.
                      "document.getElementById('content').append(h); document.querySelector('p').remove();"
                      "}, 400); })));</script>",
        "a.html": '<h1>A</h1><a href="index.html">home</a>',
    })
    url, server = serve(root)
    try:
        (result,) = run_panel({"v": url}, [flow("explore", max_pages=2)], sessions_per_flow=1, artifacts_dir=tmp_path,
                              settings=settings)
    finally:
        server.shutdown()
    assert result.lcp_ms is not None and result.lcp_ms >= 400  # the hero, not the "Loading..." line
    assert result.cls is not None and result.cls > 0.05  # the banner pushed the page down


def test_one_layout_defect_is_one_violation_however_long_the_path(tmp_path: Path, settings: Settings) -> None:
    layout = ('<header><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20">'  # no alt
              '<a href="index.html">Home</a> <a href="about.html">About</a></header>')
    item = '<li><a href="item-{n}.html">Item {n}</a> <span>$1{n}.00</span></li>'
    def listing(p: int) -> str:  # pagination outside the listing, as in the bundled shop
        nav = f'<nav><a href="page-{p + 1}.html" rel="next">Next</a></nav>' if p < 4 else ""
        return f"{layout}<main><h1>Page {p}</h1><ul>{item.format(n=p)}</ul></main>{nav}"

    pages = {f"page-{p}.html": listing(p) for p in range(2, 5)} | {"index.html": listing(1)}
    pages |= {f"item-{n}.html": layout + f"<h1>Item {n}</h1>" for n in range(1, 5)}
    url, server = serve(_site(tmp_path / "shop", pages))
    try:
        near, far = run_panel({"v": url}, [flow("find_item", 1, item_name="Item 1", add_to_cart=False),
                                            flow("find_item", 2, item_name="Item 4", add_to_cart=False)],
                              sessions_per_flow=1, artifacts_dir=tmp_path, settings=settings)
    finally:
        server.shutdown()
    assert near.success and far.success, (near.summary, far.summary)
    assert len(far.pages_visited) > len(near.pages_visited) + 1
    far_rules = [v["id"] for v in far.a11y_details]
    assert "image-alt" in far_rules and len(set(far_rules)) == len(far_rules)  # each rule once
    assert near.a11y_violations == far.a11y_violations == len(far_rules)


def test_the_panels_measuring_time_is_not_the_users(shop_url: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    settings: Settings) -> None:
    """An accessibility scan that takes 3 s must not make the session 3 s longer."""
    real = PanelCache.axe_for

    async def slow_axe(self: PanelCache, page):  # type: ignore[no-untyped-def]
        await asyncio.sleep(3.0)
        return await real(self, page)

    monkeypatch.setattr(PanelCache, "axe_for", slow_axe)
    (result,) = run_panel({"shop": shop_url}, [flow("find_item", item_name="Rosehip Facial Oil")],
                          sessions_per_flow=1, artifacts_dir=tmp_path, settings=settings)
    wall_ms = (result.completed_at - result.started_at).total_seconds() * 1000
    assert result.success and wall_ms > 6000  # two templates scanned, 3 s each
    assert result.duration_ms < 3000
    assert result.action_log[-1]["t_ms"] <= result.duration_ms


def test_a_folder_and_its_index_file_are_one_page(shop_url: str, tmp_path: Path, settings: Settings) -> None:
    results = run_panel({"shop": shop_url}, [flow("explore", max_pages=4)], sessions_per_flow=8, artifacts_dir=tmp_path,
                        settings=settings)
    # Counted honestly, four pages of the shop are still within reach: an explorer at a product page
    # with nothing new goes back as far as it takes (it used to give up after one step back).
    assert all(r.success for r in results), [r.summary for r in results]
    for r in results:
        assert not (shop_url in r.pages_visited and shop_url + "index.html" in r.pages_visited), r.pages_visited
        assert len(set(r.pages_visited)) == len(r.pages_visited)


class _CookieGate(BaseHTTPRequestHandler):
    """Sets a script-visible cookie with its first page (as Django does its CSRF token) and serves the
    item only to a visitor who sends it back."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/item"):
            ok = "token=t1" in (self.headers.get("Cookie") or "")
            status, body = (200, "<h1>Gated item</h1>") if ok else (403, "<h1>Forbidden</h1>")
            cookie = None
        else:
            status, body, cookie = 200, '<h1>Home</h1><a href="/item">Gated item</a>', "token=t1; Path=/"
        data = f'<!doctype html><html lang="en"><title>t</title><main>{body}</main></html>'.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        self.wfile.write(data)


def test_a_reused_tab_keeps_the_cookies_its_first_page_sets(tmp_path: Path, settings: Settings) -> None:
    # The wipe of a reused tab once also deleted the cookies the session's first response had just
    # set: every Django form (its CSRF cookie) answered 403 to all but each tab's first visitor.
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CookieGate)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        results = run_panel({"gate": f"http://127.0.0.1:{server.server_address[1]}/"},
                            [flow("find_item", item_name="Gated item", add_to_cart=False)],
                            sessions_per_flow=4, concurrency=1, artifacts_dir=tmp_path, settings=settings)
    finally:
        server.shutdown()
    assert sum("tab reused" in r.raw_logs for r in results) >= 3
    assert all(r.success for r in results), [r.summary for r in results]
