"""Simulated users act on a ready page: content that arrives late is waited for, a page that never
becomes ready is the site's failure, and a page that is already still costs almost nothing."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.async_api import async_playwright

from agents.browser.actor import page_key
from agents.browser.analysis import analyze_panel
from agents.browser.chromium import launch
from agents.browser.panel import run_panel
from agents.browser.readiness import NetworkWatch, Readiness, wait_until_ready
from agents.browser.results import FailureCause, SessionResult
from agents.schemas import FlowSpec, TaskSpec
from assets.records import browser_session_row
from db.models import BrowserSession, Experiment, Variant
from db.models.enums import FAILURE_CAUSE
from db.session import session_scope
from settings import BrowserSettings, Settings

pytestmark = pytest.mark.browser

DELAY_S = 1.5
ITEMS = [("Blue Enamel Mug", "$12.00"), ("Walnut Serving Board", "$38.00"), ("Linen Napkins", "$18.00")]
_RENDER = """<script>
fetch('/api/items').then(r => r.json()).then(items => {
  const list = document.createElement('ul');
  for (const [name, price] of items) {
    const li = document.createElement('li');
    li.innerHTML = `<a href="/item/${encodeURIComponent(name)}">${name}</a> <span>${price}</span>`;
    list.append(li);
  }
  document.getElementById('root').replaceChildren(list);
});
</script>"""
# Three shells a single-page app shows while its content is fetched (1.5 s): a loading text, nothing
# at all, and a header whose links are already there (only the request in flight says it is loading).
SHELLS = {
    "loading text": '<div id="root"><p>Loading products…</p></div>',
    "empty root": '<div id="root"></div>',
    "header only": '<header><a href="/">Home</a> <a href="/about">About</a></header><div id="root"></div>',
}
# A hash-routed app: opening an item changes the URL but not the document (no load event ever comes).
_HASH_ROUTED = """<div id="root"><p class="loading">Loading…</p></div><script>
let items = [];
const show = () => {
  const name = decodeURIComponent(location.hash.replace(/^#\\/item\\//, ''));
  const root = document.getElementById('root');
  if (location.hash.startsWith('#/item/')) root.innerHTML = `<h1>${name}</h1><a href="#/">Back</a>`;
  else root.innerHTML = '<ul>' + items.map(([n, p]) =>
    `<li><a href="#/item/${encodeURIComponent(n)}">${n}</a> <span>${p}</span></li>`).join('') + '</ul>';
};
addEventListener('hashchange', show);
fetch('/api/items').then(r => r.json()).then(list => { items = list; show(); });
</script>"""
# Pages that are ready although something moves or looks like loading: not site failures.
READY_AS_THEY_ARE = {
    # A clock ticking every 50 ms: the DOM is never still, yet nothing is loading.
    "/clock": "<h1>Now</h1><p id='t'></p><script>setInterval(() => t.textContent = Date.now(), 50)</script>",
    # A step indicator: a determinate progress bar is content, not a spinner.
    "/steps": '<h1>Sign up</h1><div role="progressbar" aria-valuenow="2" aria-valuemax="4">Step 2 of 4</div>'
    '<progress value="50" max="100"></progress><p>Loading dock equipment</p>',
    # Content inside a web component's shadow root (not in the page's innerText).
    "/components": "<x-card></x-card><script>customElements.define('x-card', class extends HTMLElement {"
    "connectedCallback() { this.attachShadow({mode: 'open'}).innerHTML = '<h1>Card</h1>'; } });</script>",
}
PAGES = {
    **READY_AS_THEY_ARE,
    "/hash": _HASH_ROUTED,
    "/still": '<main><h1>Still</h1><ul><li><a href="/item/Blue%20Enamel%20Mug">Blue Enamel Mug</a> $12.00</li>'
    "</ul></main>",
    "/spinner": '<header><a href="/">Home</a></header><main><div class="spinner" aria-busy="true" '
    'style="width:40px;height:40px;border:4px solid #ccc">&nbsp;</div></main>',
    "/about": "<h1>About</h1><a href='/'>Home</a>",
}


class _App(BaseHTTPRequestHandler):
    """The shells above; /api/items answers after DELAY_S; /item/NAME is the item's page."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        kind = "text/html"
        if self.path == "/api/items":
            time.sleep(DELAY_S)
            body, kind = "[" + ", ".join(f'["{n}", "{p}"]' for n, p in ITEMS) + "]", "application/json"
        elif self.path.startswith("/item/"):
            name = self.path.removeprefix("/item/").replace("%20", " ")
            body = f'<h1>{name}</h1><a href="/">Back to the list</a>'
        elif self.path.startswith("/shell/"):
            body = SHELLS[self.path.removeprefix("/shell/").replace("-", " ")] + _RENDER
        elif self.path == "/error":
            body = "<h1>Internal Server Error</h1><a href='/'>Home</a>"
        elif self.path in PAGES:
            body = PAGES[self.path]
        else:
            body = "<h1>Home</h1><a href='/about'>About</a>"
        if kind == "text/html":
            body = f'<!doctype html><html lang="en"><head><title>t</title></head><body>{body}</body></html>'
        data = body.encode()
        self.send_response(500 if self.path == "/error" else 200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def app() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def find(name: str) -> FlowSpec:
    return FlowSpec(
        name=f"find {name}",
        description="",
        instructions="",
        order=1,
        task=TaskSpec(kind="find_item", params={"item_name": name, "add_to_cart": False}),
    )


@pytest.mark.parametrize("shell", ["loading-text", "empty-root", "header-only"])
def test_content_fetched_after_load_is_found_once_it_renders(app: str, shell: str, tmp_path, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """Before readiness every user read the shell: no item, and the task "failed" with 0-1 actions."""
    (result,) = run_panel(
        {"spa": f"{app}/shell/{shell}"},
        [find("Walnut Serving Board")],
        sessions_per_flow=1,
        artifacts_dir=tmp_path,
        settings=settings,
    )
    assert result.success, result.summary
    assert result.failure_cause is FailureCause.NONE
    # Ready once the content arrived: after the fetch, within the bound.
    assert result.time_to_ready_ms is not None and DELAY_S * 1000 <= result.time_to_ready_ms < 10_000


def test_an_in_app_route_change_is_not_waited_for_as_a_page_load(app: str, tmp_path, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """A click that only changes the URL's fragment (or history) loads no new document: the user reads
    the new view as soon as it is ready, not after a load event that never comes (it cost 5 s a click)."""
    (result,) = run_panel(
        {"v": f"{app}/hash"}, [find("Linen Napkins")], sessions_per_flow=1, artifacts_dir=tmp_path,
        settings=settings
    )
    assert result.success, result.summary
    opened = next(a for a in result.action_log if a["type"] == "open")
    assert opened["url"].endswith("/hash") and opened["ready_ms"] < 1000
    assert result.pages_visited[-1].endswith("/hash#/item/Linen%20Napkins")  # the route is a page
    assert result.time_to_ready_ms is not None
    assert result.duration_ms - result.time_to_ready_ms < 3000, result.action_log


def test_a_spinner_that_never_goes_away_is_the_sites_failure(app: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    results = run_panel(
        {"v": f"{app}/spinner"}, [find("Blue Enamel Mug")], sessions_per_flow=2, artifacts_dir=tmp_path,
        settings=Settings(browser=BrowserSettings(ready_timeout_s=2)),
    )
    for r in results:
        assert not r.success and r.failure_cause is FailureCause.SITE_NOT_READY
        assert r.summary == "the page never became ready within 2 s"
        assert r.time_to_ready_ms is not None and r.time_to_ready_ms >= 2000
        assert r.n_actions == 0
        assert any('a loading placeholder is shown: <div class="spinner"' in i for i in r.issues), r.issues
    analysis = analyze_panel(results)
    assert not analysis.success
    assert "2 of 2 sessions: the page never became ready within 2 s — a site failure" in analysis.summary
    # Not presented as users failing the task.
    assert not any("failed for the" in i or "failed in 2 sessions" in i for i in analysis.issues), (
        analysis.issues
    )


def test_a_first_page_that_answers_a_server_error_is_the_sites_failure(app: str, tmp_path, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    (result,) = run_panel(
        {"v": f"{app}/error"}, [find("Blue Enamel Mug")], sessions_per_flow=1, artifacts_dir=tmp_path,
        settings=settings
    )
    assert result.failure_cause is FailureCause.SITE_ERROR and result.n_actions == 0
    assert result.summary == "the first page answered HTTP 500"
    assert (
        "1 of 1 sessions: the first page answered HTTP 500 — a site failure"
        in analyze_panel([result]).summary
    )


def test_a_still_page_is_ready_at_once(app: str, tmp_path, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    (result,) = run_panel(
        {"v": f"{app}/still"}, [find("Blue Enamel Mug")], sessions_per_flow=1, artifacts_dir=tmp_path,
        settings=settings
    )
    assert result.success, result.summary
    waits = [a["ready_ms"] for a in result.action_log if a["type"] != "end"]  # the end waits for nothing
    assert len(waits) == 2  # the start page and the item's page
    # One quiet window each, far from the 10 s bound (generous for a loaded machine).
    assert all(w < 1000 for w in waits), waits
    assert result.time_to_ready_ms is not None and result.time_to_ready_ms < 2000


def test_movement_a_determinate_progress_bar_and_web_components_are_not_loading(app: str,
                                                                                settings: Settings) -> None:
    async def go() -> dict[str, Readiness]:
        async with async_playwright() as pw:
            browser = await launch(pw, browser=settings.browser)
            try:
                page = await browser.new_page()
                network = NetworkWatch(page)
                found = {}
                for path in READY_AS_THEY_ARE:
                    await page.goto(app + path, wait_until="load")
                    found[path] = await wait_until_ready(page, network, 5.0)
                return found
            finally:
                await browser.close()

    found = asyncio.run(go())
    assert all(r.ready for r in found.values()), found
    assert found["/clock"].waited_ms < 3000  # ready at the 1.5 s cap on movement, far from the bound
    assert found["/steps"].waited_ms < 1000 and found["/components"].waited_ms < 1000


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://h/shop/index.html#reviews", "http://h/shop/"),  # an anchor: the same page
        ("http://h/#/", "http://h/"),  # the app's home route is its start page
        ("http://h/index.html#/recipe/7", "http://h/#/recipe/7"),  # a hash route: a page of its own
        ("http://h/app#!/cart", "http://h/app#!/cart"),
    ],
)
def test_a_hash_routed_apps_routes_are_pages_and_anchors_are_not(url: str, key: str) -> None:
    assert page_key(url) == key


NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _session(seed: int, cause: FailureCause, summary: str) -> SessionResult:
    return SessionResult(
        variant_key="v",
        flow_name="Find A",
        flow_order=1,
        persona="scanner",
        seed=seed,
        task_prompt="t",
        success=cause is FailureCause.NONE,
        failure_cause=cause,
        summary=summary,
        pages_visited=["http://127.0.0.1:8000/"],
        n_actions=3,
        time_to_ready_ms=10_000.0 if cause is FailureCause.SITE_NOT_READY else 1200.0,
        started_at=NOW,
        completed_at=NOW,
    )


def test_the_analysis_counts_site_failures_apart_from_users_failing() -> None:
    results = [_session(i, FailureCause.NONE, "found A") for i in range(10)]
    results += [_session(10 + i, FailureCause.USER, "gave up after 3 actions") for i in range(3)]
    results += [
        _session(20 + i, FailureCause.SITE_NOT_READY, "the page never became ready within 10 s")
        for i in range(3)
    ]
    analysis = analyze_panel(results)
    assert analysis.summary.startswith(
        "10/16 sessions completed their task (62%); "
        "3 of 16 sessions: the page never became ready within 10 s — a site failure"
    )
    assert "'Find A': 10/13 succeeded" in analysis.insights[0]
    # Time to ready is the ready pages' (a never-ready page's wait is in the site failure line).
    assert "first page ready after median 1.2 s, worst 1.2 s" in analysis.insights
    failures = [i for i in analysis.issues if "failed" in i]
    assert len(failures) == 1 and "in 3 sessions" in failures[0] and "gave up" in failures[0]
    assert not any("failed" in i and "never became ready" in i for i in analysis.issues)


def test_the_cause_and_the_time_to_ready_are_stored_with_the_session(db_url: str) -> None:
    assert set(FAILURE_CAUSE) == {c.value for c in FailureCause}  # the column's CHECK knows every cause
    result = _session(1, FailureCause.SITE_NOT_READY, "the page never became ready within 10 s")
    result.time_to_ready_ms = 10_012.5
    with session_scope(db_url) as session:
        experiment = Experiment(repo_url="https://example.com/r.git", goal="g")
        session.add(experiment)
        session.flush()
        variant = Variant(experiment_id=experiment.id, type="control", key="control")
        session.add(variant)
        session.flush()
        session.add(
            browser_session_row(
                result,
                experiment_id=experiment.id,
                variant_id=variant.id,
                test_session_id=None,  # type: ignore[arg-type]
                flow_ids={},
                stage="control_analysis",
                panel_order=0,
            )
        )
    with session_scope(db_url) as session:
        row = session.query(BrowserSession).one()
        assert (row.failure_cause, row.time_to_ready_ms, row.success) == ("site_not_ready", 10_012.5, False)
