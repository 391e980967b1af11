"""The new recipes' behavioural checks, in Chromium on an app they have never seen: each fails on the
app as it is, and passes once the recipe has changed it; a look-alike that does not do the thing fails."""

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
JOURNAL = Path(__file__).parent / "fixtures" / "journal"
# What each check reports once a user could do it (the thing done, not the markup seen).
DONE = {
    "next_step": "which opened /notes.html",
    "empty_state": "'Add the first one' put them in the field",
    "loading_indicator": "'Sending\u2026' showed",
    "breadcrumbs": "'Home' went up to",
    "back_to_results": "brought back the same 1 result(s)",
    "sticky_nav": "navigation link(s) on screen",
    "landmarks": "landmarks distinct",
}
BEFORE = {
    "next_step": "shows no welcome with a prominent next step",
    "empty_state": "nothing next to it says what to do",
    "loading_indicator": "nothing on the page said it was busy",
    "breadcrumbs": "a detail page with no trail",
    "back_to_results": "its page has no link back to the results",
    "sticky_nav": "none of the 5 navigation links is on screen",
    "landmarks": "landmark-unique",
}


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    root = tmp_path / "journal"
    shutil.copytree(JOURNAL, root)
    return root


@pytest.mark.parametrize("recipe", sorted(DONE))
def test_fails_on_the_app_and_passes_after_the_recipe(journal: Path, serve, recipe: str, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    url = serve(journal)
    before = check_behaviour(recipe, url, browser=settings.browser)
    assert before.passed is False and BEFORE[recipe] in before.detail, before.detail
    result = run_recipe_agent(DiskWorkspace(journal), SuggestionSpec(title=recipe, rationale="t", recipe=recipe))
    assert result.status == "completed", result.error_message
    after = check_behaviour(recipe, url, browser=settings.browser)
    assert after.passed is True, after.detail
    assert DONE[recipe] in after.detail, after.detail


def test_a_way_back_that_forgets_the_search_fails(journal: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    for entry in (journal / "entries").iterdir():
        page = entry.read_text()
        entry.write_text(page.replace("<h1>", '<p><a href="../index.html">Back to all entries</a></p>\n<h1>', 1))
    verdict = check_behaviour("back_to_results", serve(journal), browser=settings.browser)
    assert verdict.passed is False
    assert "'Back to all entries' came back to the listing but not to the results" in verdict.detail


def test_busy_words_already_on_the_page_are_not_an_indicator(journal: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    page = (journal / "join.html").read_text()
    (journal / "join.html").write_text(page.replace("</form>", "<p>Sending your details may take a moment.</p>\n"
                                                                 '<p class="spinner">Please wait for the email.</p>\n</form>'))
    verdict = check_behaviour("loading_indicator", serve(journal), browser=settings.browser)
    assert verdict.passed is False and "nothing on the page said it was busy" in verdict.detail


def test_a_sign_up_that_is_turned_down_is_not_a_sign_up(journal: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    run_recipe_agent(DiskWorkspace(journal), SuggestionSpec(title="next", rationale="t", recipe="next_step"))
    page = (journal / "join.html").read_text()
    # The app now refuses every sign-up with a message, and stays on the form: no welcome may follow.
    refuse = ('<script>document.querySelector("form").addEventListener("submit", function (e) { e.preventDefault();'
              ' var p = document.createElement("p"); p.setAttribute("role", "alert"); p.textContent = "Sign-ups are '
              'closed"; this.before(p); });</script>\n</body>')
    (journal / "join.html").write_text(page.replace("</body>", refuse))
    verdict = check_behaviour("next_step", serve(journal), browser=settings.browser)
    assert verdict.passed is False and "was not accepted (Sign-ups are closed)" in verdict.detail


def test_a_page_without_a_main_landmark_fails_and_passes_once_the_recipe_gives_it_one(tmp_path: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "index.html").write_text('<!doctype html><html lang="en"><head><title>Teas</title></head><body>\n'
                                         '<header><a href="/">Leafcup</a></header>\n<h1>Teas</h1>\n<p>Loose leaf.</p>\n'
                                         "<footer>Terms</footer>\n</body></html>\n")
    url = serve(tmp_path)
    before = check_behaviour("landmarks", url, browser=settings.browser)
    assert before.passed is False and "landmark-one-main" in before.detail, before.detail
    result = run_recipe_agent(DiskWorkspace(tmp_path), SuggestionSpec(title="landmarks", rationale="t", recipe="landmarks"))
    assert result.status == "completed", result.error_message
    after = check_behaviour("landmarks", url, browser=settings.browser)
    assert after.passed is True, after.detail
