"""A listing inside web components: the modules and the checks walk into open shadow roots.

The fixture app (fixtures/components) renders its grid in a custom element's shadow root after a
fetch; each card is a custom element of its own whose fields sit in its shadow root and whose name
is a slotted child. Nothing of it is in the document's light DOM but the hosts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agents.code.behaviour import check_behaviour
from agents.code.recipe_agent import run_recipe_agent
from agents.schemas import SuggestionSpec
from settings import Settings
from tests.agents.code.test_shell import DiskWorkspace

pytestmark = pytest.mark.browser
COMPONENTS = Path(__file__).parent / "fixtures" / "components"


@pytest.fixture
def components_shop(tmp_path: Path) -> Path:
    root = tmp_path / "greenhouse"
    shutil.copytree(COMPONENTS, root)
    return root


def _build(root: Path, recipe: str) -> None:
    result = run_recipe_agent(DiskWorkspace(root), SuggestionSpec(title=recipe, rationale="t", recipe=recipe))
    assert result.status == "completed", result.error_message


def test_a_listing_in_shadow_roots_is_found_and_searched(components_shop: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    assert "Fern" not in (components_shop / "index.html").read_text()  # only the rendered page has it
    url = serve(components_shop)
    verdict = check_behaviour("search", url, browser=settings.browser)
    assert verdict.passed is False and "a listing of 7 items but no visible search box" in verdict.detail
    _build(components_shop, "search")
    verdict = check_behaviour("search", url, browser=settings.browser)
    assert verdict.passed is True, verdict.detail
    assert "7 items → 1 shown, all containing it" in verdict.detail


def test_a_search_box_that_filters_nothing_fails_there(components_shop: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    page = (components_shop / "index.html").read_text()
    box = '<input type="search" name="q" placeholder="Search plants" aria-label="Search">'
    (components_shop / "index.html").write_text(page.replace("<h1>Plants</h1>", "<h1>Plants</h1>\n" + box))
    verdict = check_behaviour("search", serve(components_shop), browser=settings.browser)
    assert verdict.passed is False
    assert "did not narrow (7 shown" in verdict.detail


@pytest.mark.parametrize("recipe", ["category_filter", "sort", "result_count"])
def test_listing_controls_work_in_shadow_roots(components_shop: Path, serve, recipe: str, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    url = serve(components_shop)
    assert check_behaviour(recipe, url, browser=settings.browser).passed is False
    _build(components_shop, recipe)
    verdict = check_behaviour(recipe, url, browser=settings.browser)
    assert verdict.passed is True, verdict.detail


def test_the_box_sits_above_the_grid_in_its_shadow_root_with_its_styles(components_shop: Path, serve, browser) -> None:  # type: ignore[no-untyped-def]
    _build(components_shop, "search")
    page = browser.new_page()
    page.goto(serve(components_shop))
    box = page.get_by_role("searchbox")
    box.fill("succulent")  # a card's kind: text of the card's own shadow root, not of its host
    assert page.evaluate("document.querySelectorAll('plant-card').length") == 0  # none in the light DOM
    cards = page.locator("plant-card")
    assert cards.count() == 7
    assert [cards.nth(i).is_visible() for i in range(7)] == [False, False, True, True, True, False, False]
    where = page.evaluate("""() => {
      var root = document.querySelector("plant-catalogue").shadowRoot, input = root.querySelector("input[type=search]");
      return { inShadow: !!input, beforeGrid: !!input && input.closest("[data-vl]").nextElementSibling === root.querySelector(".grid"),
               styled: !!root.querySelector("style[data-vl]") && getComputedStyle(input).fontSize === "16px" };
    }""")
    assert where == {"inShadow": True, "beforeGrid": True, "styled": True}
    box.fill("")
    assert all(cards.nth(i).is_visible() for i in range(7))
    page.close()


def test_a_confirmation_follows_a_button_inside_a_card(components_shop: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    # The cards rendered at once, from data in the script: the check presses the first action button
    # it sees once the page has loaded (what a user in a hurry does), it does not wait for a grid.
    script = components_shop / "components.js"
    late = 'setTimeout(() => fetch(this.getAttribute("src")).then((r) => r.json()).then((plants) => this.render(plants)), 300);'
    assert late in script.read_text()
    plants = (components_shop / "plants.json").read_text().strip()
    script.write_text(script.read_text().replace(late, f"this.render({plants});"))
    url = serve(components_shop)
    verdict = check_behaviour("confirmation", url, browser=settings.browser)
    assert verdict.passed is False and "pressed 'Add to basket'" in verdict.detail  # the app says nothing
    _build(components_shop, "confirmation")
    verdict = check_behaviour("confirmation", url, browser=settings.browser)
    assert verdict.passed is True, verdict.detail
    # The click reached the document retargeted to the card's host; the module still knew the button,
    # and the card's name (a slotted child of its heading).
    assert "Boston Fern" in verdict.detail


NOTIFYING = """<!doctype html><html lang="en"><head><title>Seeds</title></head><body><main><h1>Seeds</h1>
<seed-packet></seed-packet></main><script>
customElements.define("seed-packet", class extends HTMLElement {
  constructor() {
    super();
    var root = this.attachShadow({ mode: "open" });
    root.innerHTML = '<h2>Runner beans</h2><button type="button">Add to order</button><p role="status"></p>';
    root.querySelector("button").onclick = function () { %s };
  }
});
</script></body></html>"""


@pytest.mark.parametrize("says", [True, False])
def test_an_apps_own_message_in_a_shadow_root_counts_as_confirmation(tmp_path: Path, serve, says: bool, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    action = 'root.querySelector("[role=status]").textContent = "Runner beans added";' if says else ""
    (tmp_path / "index.html").write_text(NOTIFYING % action)
    verdict = check_behaviour("confirmation", serve(tmp_path), browser=settings.browser)
    assert verdict.passed is says, verdict.detail
    assert ("'Runner beans added' appeared" if says else "no confirmation appeared") in verdict.detail


SIGNUP_COMPONENT = """<!doctype html><html lang="en"><head><title>Join the club</title></head><body><main>
<h1>Join the club</h1><join-form></join-form></main><script>
customElements.define("join-form", class extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" }).innerHTML = '<form action="welcome.html"><h2>Create an account</h2>'
      + '<p><label for="mail">Email</label> <input id="mail" name="mail" type="email" required></p>'
      + '<p><label for="secret">Password</label> <input id="secret" name="secret" type="password" minlength="8" required></p>'
      + '<button type="submit">Sign up</button></form>';
  }
});
</script></body></html>"""


def test_inline_validation_speaks_next_to_a_field_in_a_shadow_root(tmp_path: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "index.html").write_text(SIGNUP_COMPONENT)
    (tmp_path / "welcome.html").write_text("<!doctype html><title>Welcome</title><h1>Welcome</h1>")
    url = serve(tmp_path)
    verdict = check_behaviour("inline_validation", url, browser=settings.browser)
    assert verdict.passed is False and "no message appeared next to the field" in verdict.detail  # the browser's bubble only
    _build(tmp_path, "inline_validation")
    verdict = check_behaviour("inline_validation", url, browser=settings.browser)
    assert verdict.passed is True, verdict.detail
    assert "'not-an-email' in mail" in verdict.detail and "email address" in verdict.detail
