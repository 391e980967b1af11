"""The scout on rendered sites: a blog with accounts and a shop whose grid arrives late; flows from what it found."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.browser.panel import run_panel
from agents.browser.scout import scout
from agents.llm.offline_flows import derive_flows
from agents.schemas import FormPurpose, ScoutInventory
from settings import Settings
from tests.agents.browser import scout_sites
from tests.agents.browser.conftest import QuietHandler, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def blog() -> Iterator[tuple[str, scout_sites.Blog]]:
    site = scout_sites.Blog()
    url, server = scout_sites.serve(site.handler())
    yield url, site
    server.shutdown()


@pytest.fixture(scope="module")
def blog_inventory(blog: tuple[str, scout_sites.Blog]) -> tuple[ScoutInventory, list[str]]:
    """The inventory, and the paths the scout requested (the panel's link checks come later); shared by
    the module's tests, so with its own settings rather than a test's."""
    inventory = scout(blog[0], browser=Settings().browser)
    return inventory, list(blog[1].requested)


@pytest.fixture(scope="module")
def late_shop() -> Iterator[tuple[str, list[str]]]:
    requested: list[str] = []
    url, server = scout_sites.serve(scout_sites.shop_handler(requested))
    yield url, requested
    server.shutdown()


def test_scout_inventories_the_blog_and_never_opens_dotfiles(
    blog: tuple[str, scout_sites.Blog], blog_inventory: tuple[ScoutInventory, list[str]]
) -> None:
    url, _ = blog
    inventory, requested = blog_inventory
    purposes = {f.purpose: f.page_url for f in inventory.forms if f.purpose != FormPurpose.SEARCH}
    assert purposes == {FormPurpose.SIGN_UP: f"{url}register", FormPurpose.LOG_IN: f"{url}login"}
    assert inventory.controls.search[0] == url
    assert [f.purpose for f in inventory.forms].count(FormPurpose.SEARCH) == 1  # on every page, listed once
    assert {p.url for p in inventory.app_pages} == {url, f"{url}register", f"{url}login"} | {
        f"{url}post/{n}" for n in range(3)}
    assert "/register" in requested and "/logout" not in requested
    assert not any(path.startswith("/.git") or path.endswith(".xml") for path in requested)
    assert inventory.pages[0].headings[0] == "Posts"
    # Posts have no price: the links in the articles' headings are the listing's entries.
    assert [i.name for i in inventory.items] == ["A walk by the river", "Spring notes", "Hello world"]
    finds = [f for f in derive_flows("Readers can't find older posts", inventory).flows if f.task.kind == "find_item"]
    assert finds and all(not f.task.params["add_to_cart"] for f in finds)


def test_a_sign_up_goal_registers_then_writes_a_first_post(
    blog: tuple[str, scout_sites.Blog], blog_inventory: tuple[ScoutInventory, list[str]],
    tmp_path: Path, settings: Settings
) -> None:
    goal = "New visitors can't figure out how to sign up and write their first post"
    plan = derive_flows(goal, blog_inventory[0])
    first = plan.flows[0]
    assert first.name == "Sign up, then write a first post" and first.task.kind == "journey"
    steps = first.task.steps()
    assert [(s.params["form_hint"], s.optional) for s in steps] == [
        ("sign_up", False), ("log_in", True), ("create", False)]
    assert steps[0].params["page_url"].endswith("/register")
    # The journey runs: two sessions each make their own account, log in and publish a post.
    url, site = blog
    results = run_panel({"control": url}, [first], sessions_per_flow=2, artifacts_dir=tmp_path,
                        settings=settings)
    assert all(r.success for r in results), [r.summary for r in results]
    assert len(site.users) == 2 and [t for t, _ in site.posts].count("My first post") == 2
    assert all("sunflower22" not in r.raw_logs for r in results)


def test_the_scout_reads_a_grid_rendered_late_and_flows_target_its_items(
    late_shop: tuple[str, list[str]], settings: Settings,
) -> None:
    url, requested = late_shop
    inventory = scout(url, browser=settings.browser)
    names = {p["name"] for p in scout_sites.PRODUCTS}
    assert {i.name for i in inventory.items} == names
    assert {i.category for i in inventory.items} == {"Office", "Kitchen"}
    assert inventory.controls.search == [url] and "showed it" in inventory.controls.search_probe
    assert (inventory.controls.filters, inventory.controls.sort) == (["Category"], ["Sort by"])
    assert any("Add to cart" in p.buttons for p in inventory.pages)  # a sampled item page
    finds = [f for f in derive_flows("Users can't find products easily", inventory).flows
             if f.task.kind == "find_item"]
    assert len(finds) == 3 and {f.task.params["item_name"] for f in finds} <= names
    assert all(f.task.params["add_to_cart"] for f in finds)
    (cheapest,) = derive_flows("Shoppers can't compare prices to find the cheapest option", inventory).flows[:1]
    assert cheapest.name.startswith("Find the cheapest")
    group = [p for p in scout_sites.PRODUCTS if p["category"] == cheapest.task.params["category"]]
    assert cheapest.task.params["item_name"] == min(group, key=lambda p: p["price"])["name"]
    assert "/products.json" in requested


def test_a_single_page_app_paged_by_a_button_is_read_page_by_page(late_shop: tuple[str, list[str]],
                                                                  settings: Settings) -> None:
    url, _ = late_shop
    inventory = scout(f"{url}spa/", browser=settings.browser)
    assert [(listing.page, len(listing.items)) for listing in inventory.listings] == [(1, 3), (2, 3)]
    assert {i.name for i in inventory.items} == {p["name"] for p in scout_sites.PRODUCTS}
    assert any(p.url.endswith("#/p/p1") for p in inventory.pages)  # a hash route is a page of its own
    plan = derive_flows("Users can't find products easily", inventory)
    finds = [f.task.params["item_name"] for f in plan.flows if f.task.kind == "find_item"]
    assert set(finds) <= {p["name"] for p in scout_sites.PRODUCTS[3:]}  # the page behind "Next" first
    (browse,) = [f for f in plan.flows if f.task.kind == "explore"]
    assert browse.task.params["max_pages"] == 1  # one document: a visitor's history holds one page


def test_a_folder_of_files_is_no_app_and_its_dotfiles_stay_closed(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "README.md").write_text("# notes\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.txt").write_text("guide\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n")
    requested: list[str] = []

    class Recording(QuietHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            super().do_GET()

    url, server = serve(tmp_path, handler=Recording)
    try:
        inventory = scout(url, browser=settings.browser)
    finally:
        server.shutdown()
    assert [p.file_listing for p in inventory.pages] == [True, True]  # / and /docs/: indexes of files
    assert inventory.app_pages == [] and not inventory.forms and not inventory.items
    assert not any(".git" in path or path.endswith((".md", ".txt")) for path in requested)


def test_users_page_a_listing_paged_by_a_button(late_shop: tuple[str, list[str]],
                                                tmp_path: Path, settings: Settings) -> None:
    url, _ = late_shop
    inventory = scout(f"{url}spa/", browser=settings.browser)
    find = next(f for f in derive_flows("Users can't find products easily", inventory).flows
                if f.task.kind == "find_item")
    (result,) = run_panel({"spa": f"{url}spa/"}, [find], sessions_per_flow=1, artifacts_dir=tmp_path,
                          settings=settings)
    assert result.persona == "searcher" and result.success, result.summary  # no search box: it scans
    assert [a["type"] for a in result.action_log].count("next") == 1


def test_content_fetched_from_another_origin_is_named(tmp_path: Path, settings: Settings) -> None:
    # A single-page shop that asks an outside API for its catalogue and renders what comes back.
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang=en><head><title>Shop</title></head><body><main><h1>Shop</h1>"
        "<p id=count>0 product(s) found</p><ul id=grid></ul></main><script>"
        "fetch('http://catalogue.example.test/products.json').then(r => r.json()).then(list => {"
        "  document.getElementById('grid').innerHTML = list.map(p => `<li><a href=\"#${p.id}\">${p.name}</a>"
        " <span>$${p.price}</span></li>`).join('');"
        "}).catch(() => {});"
        "fetch('/local.json').catch(() => {});"  # same origin (a 404 here): not offsite
        "</script></body></html>")
    url, server = serve(tmp_path)
    try:
        inventory = scout(url, browser=settings.browser)
    finally:
        server.shutdown()
    assert inventory.offsite_data == ["http://catalogue.example.test/products.json"]
    assert not inventory.items and not inventory.forms and inventory.app_pages


def test_a_site_with_its_content_at_home_asks_no_other_origin(late_shop: tuple[str, list[str]],
                                                              settings: Settings) -> None:
    url, _ = late_shop
    inventory = scout(url, browser=settings.browser)
    assert inventory.items and inventory.offsite_data == []
