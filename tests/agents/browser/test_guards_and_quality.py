"""The origin guard holds (links, redirects, scripts, subresources), and page problems are measured."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from agents.browser.analysis import analyze_panel
from agents.browser.panel import run_panel
from agents.schemas import FlowSpec, TaskSpec
from settings import Settings
from tests.agents.browser.conftest import QuietHandler, serve

pytestmark = pytest.mark.browser


class Recorder(BaseHTTPRequestHandler):
    """Stands for 'another site': counts every request that reaches it."""

    hits: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<h1>elsewhere</h1>")


class Redirecting(QuietHandler):
    target = ""

    def do_GET(self) -> None:
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", Redirecting.target)
            self.end_headers()
            return
        super().do_GET()


@pytest.fixture
def messy_site(tmp_path: Path) -> Iterator[str]:
    others = [
        ThreadingHTTPServer(("127.0.0.2", 0), Recorder),
        ThreadingHTTPServer(("127.0.0.1", 0), Recorder),
    ]
    for server in others:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    other_host = f"http://127.0.0.2:{others[0].server_address[1]}"
    other_port = f"http://127.0.0.1:{others[1].server_address[1]}"
    Redirecting.target = f"{other_port}/redirected"
    Recorder.hits = []
    site = tmp_path / "site"
    site.mkdir()
    (
        site / "index.html"
    ).write_text(f"""<!doctype html><html lang="en"><head><title>Messy</title></head><body>
<h1>Messy site</h1><img src="{other_host}/pixel.png"><img src="missing.png">
<a href="redirect">Deals</a> <a href="script.html">News</a> <a href="missing.html">Old page</a>
<a href="{other_host}/page">Partner</a> <a href="{other_port}/page">Mirror</a>
<script>console.error("boom: widget failed")</script></body></html>""")
    (
        site / "script.html"
    ).write_text(f"""<!doctype html><html lang="en"><head><title>News</title></head><body>
<h1>News</h1><a href="index.html">Home</a><script>location.href = "{other_port}/scripted";</script></body></html>""")
    url, server = serve(site, handler=Redirecting)
    yield url
    for s in [server, *others]:
        s.shutdown()


def test_nothing_outside_the_origin_is_visited_and_problems_are_recorded(
    messy_site: str, tmp_path: Path, settings: Settings
) -> None:
    explore = FlowSpec(
        name="look around",
        description="",
        instructions="Look around.",
        order=1,
        task=TaskSpec(kind="explore", params={"max_pages": 6}),
    )
    results = run_panel({"messy": messy_site}, [explore], sessions_per_flow=2, artifacts_dir=tmp_path,
                        settings=settings)
    assert Recorder.hits == []
    assert all(page.startswith(messy_site) for r in results for page in r.pages_visited)
    blocked = [f for r in results for f in r.failed_requests if "blocked: outside origin" in f]
    assert any("/pixel.png" in f for f in blocked)  # a subresource from another host
    first = results[0]
    assert any("boom: widget failed" in e for e in first.console_errors)
    # The guard's own refusals are blocked requests, not the site's console errors or broken images.
    assert not any("ERR_PROXY" in e for r in results for e in r.console_errors)
    assert not any("pixel.png" in u for r in results for u in r.broken_images)
    assert messy_site + "missing.html" in first.broken_links
    # Links that work are not reported: the same links, checked through the contexts' origin proxy,
    # once all read as broken; and a route that answers GET but not HEAD is not broken.
    assert messy_site + "script.html" not in first.broken_links
    assert messy_site + "redirect" not in first.broken_links
    assert messy_site + "missing.png" in first.broken_images
    assert first.a11y_violations > 0 and "image-alt" in {v["id"] for v in first.a11y_details}
    issues = " ".join(analyze_panel(results).issues)
    assert "image-alt" in issues and "missing.html" in issues and "boom: widget failed" in issues


def test_redirects_and_scripted_navigations_off_the_origin_are_stopped(messy_site: str) -> None:
    """The guard itself, page by page (the panel's personas may or may not take these links)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from agents.browser.chromium import CHROMIUM_ARGS, origin_proxy
    from tests.conftest import system_chromium

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=system_chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(proxy=origin_proxy(messy_site))
        page = context.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto(messy_site + "index.html")
        assert page.title() == "Messy"  # the site itself loads
        # A 302 to another port on 127.0.0.1, and a page whose script sends the tab there: each
        # blocked hop fails the navigation (Playwright raises), which is the point.
        for path in ("redirect", "script.html"):
            with contextlib.suppress(PlaywrightError):
                page.goto(messy_site + path)
        page.wait_for_timeout(300)
        browser.close()
    assert Recorder.hits == []
    assert any(u.endswith("/redirected") for u in failed)
    assert any(u.endswith("/scripted") for u in failed)
