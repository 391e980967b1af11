"""Behavioural goal checks: markup alone never passes; a module on a script-rendered listing does."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.code.behaviour import check_behaviour
from agents.code.outcome import RunConfig
from agents.code.recipe_agent import run_recipe_agent
from agents.code.solve import run_solve
from agents.llm.base import ModelSpec
from agents.schemas import SuggestionSpec
from settings import Settings
from tests.agents.code.conftest import SCRIPTED_PAGE
from tests.agents.code.test_shell import DiskWorkspace

pytestmark = pytest.mark.browser
RECIPE = ModelSpec("offline", "offline-recipe")


FAKE_BOX = {
    "hidden": '<input type="search" name="q" placeholder="Search" hidden>',
    "no script": '<input type="search" name="q" placeholder="Search products" aria-label="Search">',
}


@pytest.mark.parametrize("fake", sorted(FAKE_BOX))
def test_a_search_box_in_markup_only_fails_the_check(scripted_shop: Path, serve, fake: str, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    page = (scripted_shop / "index.html").read_text()
    (scripted_shop / "index.html").write_text(page.replace("<h1>Our teas</h1>", "<h1>Our teas</h1>\n" + FAKE_BOX[fake]))
    verdict = check_behaviour("search", serve(scripted_shop), browser=settings.browser)
    assert verdict.passed is False
    assert ("no visible search box" if fake == "hidden" else "did not narrow") in verdict.detail


def test_the_search_module_narrows_a_listing_rendered_later_by_script(scripted_shop: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    assert "Sencha" not in SCRIPTED_PAGE  # nothing to find in the source: only the rendered page has it
    url = serve(scripted_shop)
    assert check_behaviour("search", url, browser=settings.browser).passed is False
    result = run_recipe_agent(DiskWorkspace(scripted_shop), SuggestionSpec(title="Add a search box", rationale="t"))
    assert result.status == "completed", result.error_message
    verdict = check_behaviour("search", url, browser=settings.browser)
    assert verdict.passed is True, verdict.detail
    assert "all containing it" in verdict.detail


@pytest.mark.parametrize("recipe", ["category_filter", "sort", "result_count"])
def test_listing_controls_work_on_a_listing_rendered_later_by_script(scripted_shop: Path, serve, recipe: str, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    url = serve(scripted_shop)
    assert check_behaviour(recipe, url, browser=settings.browser).passed is False
    result = run_recipe_agent(DiskWorkspace(scripted_shop), SuggestionSpec(title=recipe, rationale="t", recipe=recipe))
    assert result.status == "completed", result.error_message
    verdict = check_behaviour(recipe, url, browser=settings.browser)
    assert verdict.passed is True, verdict.detail


def test_the_matrix_builds_different_designs_that_each_pass_in_a_browser(scripted_shop: Path,
                                                                         settings: Settings) -> None:
    matrix = [RunConfig(RECIPE, 0.0, "baseline"), RunConfig(RECIPE, 0.0, "alternative"),
              RunConfig(RECIPE, 0.0, "minimal")]
    outcome = run_solve(str(scripted_shop), SuggestionSpec(title="Add a search box", rationale="t"),
                        matrix=matrix, max_parallel=2, time_budget_s=240, settings=settings)
    baseline, alternative, minimal = outcome.runs
    assert baseline.status == alternative.status == "completed", (baseline.error_message, alternative.error_message)
    assert baseline.tests_passed and alternative.tests_passed
    assert baseline.goal_checks_passed and alternative.goal_checks_passed, (baseline.goal_checks, alternative.goal_checks)
    assert baseline.diff != alternative.diff  # a different design, not a reshuffle of the same one
    assert '"placement": "inline"' in baseline.diff and '"placement": "top"' in alternative.diff
    assert minimal.status == "failed" and "needs a script" in minimal.error_message
    assert outcome.champion_index in (0, 1) and "goal checks pass" in outcome.champion_reason
    assert "latency" not in outcome.champion_reason


# A single-page app's form: its script calls preventDefault and renders the outcome in place.
SPA_FORM = """<!doctype html><html lang="en"><head><title>Jobs</title></head><body>
<h1>Jobs</h1>
<form id="new"><input name="title" aria-label="Title"> <button type="submit">Add job</button></form>
<ul id="jobs"><li>Paint the fence</li></ul>
<script>
document.getElementById("new").addEventListener("submit", function (e) {
  e.preventDefault();
  var field = e.target.elements.title, button = e.submitter;
  setTimeout(function () { %s }, 400);
});
</script>
</body></html>
"""
SPA_OUTCOME = {
    "adds the item": 'var li = document.createElement("li"); li.textContent = field.value || "Untitled job";'
                     ' document.getElementById("jobs").appendChild(li); field.value = "";',
    "says it is busy, then shows an error": 'button.textContent = "Saving\u2026"; var p = document.createElement("p");'
                                            ' p.className = "problem"; p.textContent = "Could not save the job, the server is down";'
                                            ' setTimeout(function () { document.getElementById("new").appendChild(p); }, 500);',
    "shows an error": 'var p = document.createElement("p"); p.className = "problem";'
                      ' p.textContent = "Could not save the job, the server is down";'
                      ' document.getElementById("new").appendChild(p);',
    # Like most todo lists: an empty title is ignored, so the check must type one, as a user would.
    "ignores an empty title": 'if (!field.value.trim()) return; var li = document.createElement("li");'
                              ' li.textContent = field.value; document.getElementById("jobs").appendChild(li);'
                              ' field.value = "";',
}


@pytest.mark.parametrize("outcome", sorted(SPA_OUTCOME))
def test_the_confirmation_follows_what_a_single_page_app_shows_after_its_own_submit(
        tmp_path: Path, serve, outcome: str, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "index.html").write_text(SPA_FORM % SPA_OUTCOME[outcome])
    url = serve(tmp_path)
    assert check_behaviour("confirmation", url,
                           browser=settings.browser).passed is False  # the app itself says nothing
    result = run_recipe_agent(DiskWorkspace(tmp_path), SuggestionSpec(title="confirmation", rationale="t",
                                                                      recipe="confirmation"))
    assert result.status == "completed", result.error_message
    verdict = check_behaviour("confirmation", url, browser=settings.browser)
    if outcome in ("adds the item", "ignores an empty title"):
        assert verdict.passed is True, verdict.detail
        assert "Added job" in verdict.detail
    else:  # an error is no success to confirm
        assert verdict.passed is False, verdict.detail


def test_the_confirmation_sees_an_app_that_answers_within_its_own_submit(tmp_path: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    # Like React at its root: the handler clears the field and renders the item before the event is
    # over, so a listener that starts watching afterwards sees no response at all.
    page = SPA_FORM.replace("setTimeout(function () { %s }, 400);",
                            'if (!field.value.trim()) return; var li = document.createElement("li");'
                            ' li.textContent = field.value; document.getElementById("jobs").appendChild(li);'
                            ' field.value = "";')
    assert "setTimeout" not in page
    (tmp_path / "index.html").write_text(page)
    url = serve(tmp_path)
    assert check_behaviour("confirmation", url, browser=settings.browser).passed is False
    result = run_recipe_agent(DiskWorkspace(tmp_path), SuggestionSpec(title="confirmation", rationale="t",
                                                                      recipe="confirmation"))
    assert result.status == "completed", result.error_message
    verdict = check_behaviour("confirmation", url, browser=settings.browser)
    assert verdict.passed is True and "Added job" in verdict.detail, verdict.detail
