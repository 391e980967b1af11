"""Search on a listing shown one page at a time: an item on a later page must be found from the first.

Two small apps nobody has seen: a script-rendered list paged by a button (a single-page app), and
server-style pages linked by "Next" links. A search that only filters the page shown passes nothing
here: the check types a word that only a later page's item has.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.browser.page_view import _EXTRACT_JS as PANEL_READS_THE_PAGE
from agents.code.behaviour import check_behaviour
from agents.code.recipe_agent import run_recipe_agent
from agents.code.recipes.runtime import SEARCH_BODY, module_js
from agents.code.recipes.search import RUNTIME_WORDING
from agents.schemas import SuggestionSpec
from settings import Settings
from tests.agents.code.test_shell import DiskWorkspace

pytestmark = pytest.mark.browser

SEEDS = ["Scarlet Runner Bean", "Butternut Squash", "Rainbow Chard", "Sugar Snap Pea",
         "Purple Sprouting Broccoli", "Cherry Belle Radish", "Crimson Flowered Broad Bean", "Golden Beetroot",
         "Tigerella Tomato", "Lemon Cucumber"]
PER_PAGE = 4

SPA_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Seed swap</title></head>
<body>
<header><a href="#/">Seed swap</a></header>
<main><h1>Seeds to swap</h1><div id="app"><p>Loading&hellip;</p></div></main>
<script src="app.js"></script>
</body></html>
"""
# The seeds arrive from a JSON file after a delay; a Next button turns the page in place and goes
# back to the first after the last, as many single-page apps do.
SPA_SCRIPT = f"var PER = {PER_PAGE};\n" + """var seeds = [], page = 0;
function render() {
  var app = document.getElementById("app"), last = Math.ceil(seeds.length / PER) - 1;
  var shown = seeds.slice(page * PER, page * PER + PER);
  app.innerHTML = '<ol class="seeds">' + shown.map(function (s) {
    return '<li class="seed"><a href="#/seed/' + s.id + '">' + s.name + '</a> <small>' + s.kind + '</small></li>';
  }).join("") + '</ol><div class="pages"><button type="button">' + (page >= last ? "Back to the first" : "Next") + '</button></div>';
  app.querySelector("button").onclick = function () { page = page >= last ? 0 : page + 1; render(); };
}
setTimeout(function () {
  fetch("seeds.json").then(function (r) { return r.json(); }).then(function (data) { seeds = data; render(); });
}, 400);
"""

LINKED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Seed swap, page {n}</title></head>
<body>
<header><a href="list-1.html">Seed swap</a></header>
<main>
<h1>Seeds to swap</h1>
<ul class="seeds">
{items}
</ul>
<p class="pager">{pager}</p>
</main>
<script src="search.js" defer></script>
</body></html>
"""


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def _module(pages: bool) -> str:
    """The runtime search module; pages=False is the same module acting only on the page shown."""
    return module_js("search", "search", SEARCH_BODY, {"placeholder": "Search seeds", "label": "Search",
                                                       "placement": "inline", "pages": pages, **RUNTIME_WORDING[0]})


@pytest.fixture
def paged_spa(tmp_path: Path) -> Path:
    root = tmp_path / "seedswap"
    root.mkdir()
    (root / "index.html").write_text(SPA_PAGE)
    (root / "app.js").write_text(SPA_SCRIPT)
    kinds = ["Bean", "Squash", "Leaf", "Pea", "Brassica", "Root", "Bean", "Root", "Fruit", "Fruit"]
    (root / "seeds.json").write_text(json.dumps([{"id": _slug(n), "name": n, "kind": k} for n, k in zip(SEEDS, kinds)]))
    return root


@pytest.fixture
def linked_pages(tmp_path: Path) -> Path:
    root = tmp_path / "seedlist"
    (root / "seed").mkdir(parents=True)
    pages = [SEEDS[i : i + PER_PAGE] for i in range(0, len(SEEDS), PER_PAGE)]
    for n, names in enumerate(pages, start=1):
        items = "\n".join(f'<li class="seed"><a href="seed/{_slug(s)}.html">{s}</a> <small>packet</small></li>'
                          for s in names)
        pager = f'<a href="list-{n + 1}.html">Next page</a>' if n < len(pages) else "Last page"
        (root / f"list-{n}.html").write_text(LINKED_PAGE.format(n=n, items=items, pager=pager))
        for s in names:
            (root / "seed" / f"{_slug(s)}.html").write_text(f"<!doctype html><h1>{s}</h1>")
    return root


def test_a_spa_search_finds_an_item_paged_in_by_a_button(paged_spa: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    url = serve(paged_spa)
    assert check_behaviour("search", url, browser=settings.browser).passed is False  # no search box yet
    original = (paged_spa / "index.html").read_text()
    # The same module acting only on the page shown: the check types a later page's word and it fails.
    (paged_spa / "page-only.js").write_text(_module(pages=False))
    (paged_spa / "index.html").write_text(original.replace("</body>", '<script src="page-only.js" defer></script>\n</body>'))
    verdict = check_behaviour("search", url, browser=settings.browser)
    assert verdict.passed is False, verdict.detail
    assert "only an item on a later page has" in verdict.detail and "searches only the page shown" in verdict.detail
    (paged_spa / "index.html").write_text(original)
    result = run_recipe_agent(DiskWorkspace(paged_spa), SuggestionSpec(title="Add a search box", rationale="t"))
    assert result.status == "completed", result.error_message
    verdict = check_behaviour("search", url, browser=settings.browser)
    assert verdict.passed is True, verdict.detail
    assert "on a later page only" in verdict.detail and "with a link to open it" in verdict.detail


def test_the_hidden_frame_leaves_the_page_as_it_was(paged_spa: Path, serve, browser) -> None:  # type: ignore[no-untyped-def]
    run_recipe_agent(DiskWorkspace(paged_spa), SuggestionSpec(title="Add a search box", rationale="t"))
    page = browser.new_page()
    page.goto(serve(paged_spa))
    page.get_by_role("button", name="Next").wait_for()
    # The panel reads the page first, tagging the links, buttons and fields it may act on (data-vl="<n>"):
    # the module must still know the app's Next button and items for the app's, not for its own.
    page.evaluate(PANEL_READS_THE_PAGE)
    box = page.get_by_role("searchbox")
    box.fill("tigerella")  # on the last page
    found = page.get_by_role("link", name="Tigerella Tomato")
    found.wait_for(timeout=10_000)
    assert found.get_attribute("href").endswith("#/seed/tigerella-tomato")
    assert page.locator("iframe").count() == 0  # gathered, then gone
    assert page.get_by_text("Scarlet Runner Bean").is_hidden()
    box.fill("")
    assert page.get_by_text("Scarlet Runner Bean").is_visible() and found.count() == 0
    assert page.get_by_role("button", name="Next").is_visible()  # the app is still on its first page
    page.close()


@pytest.mark.parametrize("pages", [True, False])
def test_search_on_linked_pages_follows_their_next_links(linked_pages: Path, serve, pages: bool, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    (linked_pages / "search.js").write_text(_module(pages))
    verdict = check_behaviour("search", serve(linked_pages) + "list-1.html", browser=settings.browser)
    assert verdict.passed is pages, verdict.detail
    assert ("on a later page only" if pages else "searches only the page shown") in verdict.detail


def test_results_from_linked_pages_open_their_own_page(linked_pages: Path, serve, browser) -> None:  # type: ignore[no-untyped-def]
    (linked_pages / "search.js").write_text(_module(pages=True))
    page = browser.new_page()
    page.goto(serve(linked_pages) + "list-1.html")
    page.get_by_role("searchbox").fill("lemon")  # on list-3.html, two next links away
    page.get_by_role("link", name="Lemon Cucumber").click(timeout=10_000)
    page.wait_for_load_state()
    assert page.url.endswith("/seed/lemon-cucumber.html") and page.locator("h1").inner_text() == "Lemon Cucumber"
    page.close()


@pytest.fixture
def scripted_linked_pages(linked_pages: Path) -> Path:
    """The linked pages, each rendering its items by script: their HTML as served holds none."""
    for page in sorted(linked_pages.glob("list-*.html")):
        html = page.read_text()
        start, end = html.index('<ul class="seeds">') + len('<ul class="seeds">'), html.index("</ul>")
        items = html[start:end].strip()
        script = f"<script>document.querySelector('ul.seeds').innerHTML = {json.dumps(items)};</script>\n"
        page.write_text(html[:start] + "\n" + html[end:].replace("</main>", "</main>\n" + script, 1))
    return linked_pages


def test_linked_pages_whose_items_a_script_renders_are_read_as_rendered(  # type: ignore[no-untyped-def]
        scripted_linked_pages: Path, serve, settings: Settings) -> None:
    # The check reads a next document's items from its HTML when they are there; here they are not, so
    # it must open the page as a browser shows it. Were it to conclude there is no later page, the
    # page-only module would pass on the first page's own word.
    assert "Lemon" not in (scripted_linked_pages / "list-3.html").read_text().split("<script>")[0]
    (scripted_linked_pages / "search.js").write_text(_module(pages=False))
    verdict = check_behaviour("search", serve(scripted_linked_pages) + "list-1.html",
                              browser=settings.browser)
    assert verdict.passed is False, verdict.detail
    assert "only an item on a later page has" in verdict.detail and "searches only the page shown" in verdict.detail
