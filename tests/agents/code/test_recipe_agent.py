"""The recipe agent on the bundled apps and on a shop it has never seen, in real sandboxes."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.code.checks import goal_checks
from agents.code.recipe_agent import run_recipe_agent
from agents.code.recipes.registry import resolve
from agents.schemas import SuggestionSpec
from settings import Settings
from tests.agents.code.conftest import SHOP, SIGNUP
from tests.agents.conftest import OpenSandbox

SHOP_RECIPES = ["search", "category_filter", "sort", "result_count", "sticky_cart"]
FORM_RECIPES = ["inline_validation", "password_hint", "shorter_form"]


def _implement(sandbox, recipe: str, **kw) -> object:  # type: ignore[no-untyped-def]
    result = run_recipe_agent(sandbox, SuggestionSpec(title=recipe, rationale="test", recipe=recipe),
                              static_root=sandbox.app.static_root, **kw)
    assert result.status == "completed", result.error_message
    return result


@pytest.mark.parametrize(("app", "recipe"), [(SHOP, r) for r in SHOP_RECIPES] + [(SIGNUP, r) for r in FORM_RECIPES])
def test_recipe_keeps_tests_green_and_passes_goal_checks(app: Path, recipe: str,
                                                         settings: Settings, open_box: OpenSandbox) -> None:
    with open_box(str(app)) as sandbox:
        before, _ = goal_checks(sandbox, recipe, [], browser=settings.browser)
        result = _implement(sandbox, recipe)
        diff = sandbox.diff()
        tests = sandbox.run(sandbox.app.test)
        after, details = goal_checks(sandbox, recipe, list(diff.files_changed), browser=settings.browser)
    assert before is False, "the goal check must fail on the unchanged app"
    assert tests.ok, tests.stderr[-1000:]
    assert after is True, details
    assert diff.loc_changed > 0 and set(result.files_modified) == set(diff.files_changed)
    steps = result.trajectory["steps"]
    assert result.trajectory["total_steps"] == len(steps)
    assert {s["action"] for s in steps} >= {"read_file", "edit_file"}
    assert all(c["changes"] for c in result.code_changes)


def test_temperature_and_strategy_change_the_markup_deterministically(open_box: OpenSandbox) -> None:
    outputs = {}
    for key, kw in {"t0": {}, "t0-again": {}, "t07": {"temperature": 0.7},
                    "refined": {"strategy": "feedback_refined"}}.items():
        with open_box(str(SHOP)) as sandbox:
            _implement(sandbox, "search", **kw)
            outputs[key] = sandbox.diff().unified_diff
    assert outputs["t0"] == outputs["t0-again"]
    assert outputs["t07"] != outputs["t0"]
    assert outputs["refined"] != outputs["t0"] and "aria-live" in outputs["refined"]


def test_unknown_shop_markup_is_found_by_structure(unknown_shop: Path,
                                                   settings: Settings, open_box: OpenSandbox) -> None:
    with open_box(str(unknown_shop)) as sandbox:
        for recipe in ("search", "category_filter", "sort", "result_count"):
            _implement(sandbox, recipe)
        diff = sandbox.diff()
        tests = sandbox.run(sandbox.app.test)
        verdicts = {r: goal_checks(sandbox, r, list(diff.files_changed), browser=settings.browser)[0]
                    for r in ("search", "category_filter", "sort", "result_count")}
        catalogue = sandbox.read_file("catalogue.htm")
    assert tests.ok
    assert verdicts == dict.fromkeys(verdicts, True)
    assert "data-vl-list" in catalogue and 'value="Oolong"' in catalogue
    assert "Showing 3 of 9 products" in catalogue


@pytest.mark.parametrize(("app", "title", "reason"), [
    (SHOP, "Add a dark mode toggle", "no recipe for 'Add a dark mode toggle'"),
    (SHOP, "Explain the password rule", "no form with input fields found"),
])
def test_what_it_cannot_do_fails_with_the_reason(app: Path, title: str, reason: str,
                                                 open_box: OpenSandbox) -> None:
    with open_box(str(app)) as sandbox:
        result = run_recipe_agent(sandbox, SuggestionSpec(title=title, rationale="test"))
        diff = sandbox.diff()
    assert result.status == "failed"
    assert reason in (result.error_message or "")
    assert diff.files_changed == []


@pytest.mark.parametrize(("title", "recipe"), [
    ("Add a search box with live filtering", "search"),
    ("Let users filter products by category", "category_filter"),
    ("Sort products by price", "sort"),
    ("Show validation errors inline, next to the field", "inline_validation"),
    ("Explain the password requirements up front", "password_hint"),
    ("Make the form shorter by hiding optional fields", "shorter_form"),
    ("Keep the cart count visible (sticky cart)", "sticky_cart"),
    ("Show a confirmation after adding to the basket", "confirmation"),
    ("Rewrite the site in Rust", None),
])
def test_free_text_maps_to_recipes(title: str, recipe: str | None) -> None:
    assert resolve(title, None) == recipe
