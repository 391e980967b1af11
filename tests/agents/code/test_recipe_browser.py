"""What the recipes build really works in a browser (system Chromium on the sandbox preview)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.code.recipe_agent import run_recipe_agent
from agents.schemas import SuggestionSpec
from tests.agents.code.conftest import SHOP, SIGNUP
from tests.agents.conftest import OpenSandbox

pytestmark = pytest.mark.browser


def _variant(open_box: OpenSandbox, app: Path, recipe: str, strategy: str = "baseline"):  # type: ignore[no-untyped-def]
    sandbox = open_box(str(app))
    result = run_recipe_agent(sandbox, SuggestionSpec(title=recipe, rationale="t", recipe=recipe), strategy=strategy)
    assert result.status == "completed", result.error_message
    return sandbox


@pytest.mark.parametrize(("shop", "first_page", "query", "expected", "absent"), [
    (SHOP, "index.html", None, None, None),
    ("unknown", "catalogue.htm", "lapsang", "Lapsang Souchong", "Sencha Green"),
])
def test_search_finds_products_from_other_pages(browser, unknown_shop, shop, first_page, query, expected, absent, open_box):  # type: ignore[no-untyped-def]
    app = unknown_shop if shop == "unknown" else shop
    with _variant(open_box, app, "search") as sandbox:
        if query is None:
            # The bundled shop: search for a product that is only on the last listing page.
            last = max((p for p in sandbox.list_files() if p.startswith("page-")),
                       key=lambda p: int(p.removeprefix("page-").removesuffix(".html")))
            html = sandbox.read_file(last)
            expected = html.split('class="product-link"')[1].split(">", 1)[1].split("<", 1)[0]
            query, absent = expected.split()[-1], "Rosehip Facial Oil"
        url = sandbox.start_preview()
        page = browser.new_page()
        page.goto(url + first_page)
        assert page.get_by_text(expected, exact=True).count() == 0  # not on the first page before searching
        page.get_by_role("searchbox").fill(query)
        page.get_by_text(expected, exact=True).first.wait_for(timeout=5000)
        assert page.get_by_text(absent, exact=True).count() == 0
        link = page.get_by_role("link", name=expected).first.get_attribute("href")
        page.get_by_role("searchbox").fill("")
        page.get_by_text(absent, exact=True).first.wait_for(timeout=5000)
        page.close()
    assert link and link.startswith("http://127.0.0.1")  # cards from other pages still link correctly


def test_inline_validation_says_which_field_is_wrong_and_why(browser, open_box) -> None:  # type: ignore[no-untyped-def]
    with _variant(open_box, SIGNUP, "inline_validation") as sandbox:
        page = browser.new_page()
        page.goto(sandbox.start_preview() + "index.html")
        page.fill("#email", "not-an-email")
        page.fill("#password", "short")
        page.press("#password", "Tab")
        page.press("#email", "Tab")
        email_error = page.locator("#vl-error-email")
        password_error = page.locator("#vl-error-password")
        email_error.wait_for(timeout=5000)
        assert "Email" in email_error.inner_text() and "email address" in email_error.inner_text()
        assert "10 characters" in password_error.inner_text()
        assert page.get_attribute("#password", "aria-invalid") == "true"
        page.fill("#password", "long-enough-1!")
        page.press("#password", "Tab")
        assert password_error.is_hidden()
        page.close()


def test_category_filter_shows_one_category_from_all_pages(browser, open_box) -> None:  # type: ignore[no-untyped-def]
    with _variant(open_box, SHOP, "category_filter") as sandbox:
        page = browser.new_page()
        page.goto(sandbox.start_preview() + "index.html")
        on_first = page.locator("[data-vl-list] > *").count()
        page.get_by_label("Category").select_option("Outdoor")
        page.get_by_text("products in Outdoor").wait_for(timeout=5000)
        categories = page.locator("[data-vl-list] > *").evaluate_all(
            "cards => cards.map(c => c.getAttribute('data-category'))")
        page.close()
    assert categories and set(categories) == {"Outdoor"}
    assert on_first > 0


JOIN_PAGE = """<!doctype html><html><head><title>Join the club</title></head><body>
<form action="/join" method="post">
<p><label for="tel">Mobile</label><input id="tel" name="mobile" type="tel"></p>
<p><label for="mail">Mail</label><input id="mail" name="mail" type="email" required></p>
<p><label for="mail2">Mail again</label><input id="mail2" name="mail_confirm" type="email"></p>
<button>Join</button>
</form>
<script src="join.js"></script>
</body></html>"""


@pytest.mark.parametrize("strategy", ["baseline", "alternative"])
def test_static_validation_states_the_rules_the_source_holds(browser, tmp_path, strategy, open_box) -> None:  # type: ignore[no-untyped-def]
    # A format the page's own script enforces (not an attribute) and a field that repeats another: the
    # static path hands them to the same module every other app gets. The on-submit design must state
    # them too: the designs differ in when they speak, and a panel on the sign-up demo measured an
    # on-submit design that omitted the phone format as no better than the control.
    (tmp_path / "index.html").write_text(JOIN_PAGE)
    (tmp_path / "join.js").write_text("var MOBILE = /^07\\d{3} \\d{6}$/;\n")
    with _variant(open_box, tmp_path, "inline_validation", strategy) as sandbox:
        script = sandbox.read_file("variantlab-validation.js")
        assert "__variantlab_validation" in script and '"rules"' in script
        if strategy == "baseline":
            assert '"forms": "form[data-vl-validate]"' in script
        page = browser.new_page()
        page.goto(sandbox.start_preview() + "index.html")
        page.fill("#mail", "a@example.com")

        def leave(field: str) -> None:
            if strategy == "alternative":  # it speaks when the form is sent
                page.locator("button").first.click()
            else:  # as the user leaves the field
                page.press(field, "Tab")

        page.fill("#tel", "12345")
        leave("#tel")
        page.locator("#vl-error-tel").wait_for(timeout=5000)
        assert page.locator("#vl-error-tel").inner_text().startswith("Mobile: use the format")
        page.fill("#mail2", "b@example.com")
        leave("#mail2")
        page.locator("#vl-error-mail2").wait_for(timeout=5000)
        assert page.locator("#vl-error-mail2").inner_text() == "Mail again does not match mail."
        page.close()
