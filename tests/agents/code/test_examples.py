"""Every bundled app kind, each with its own goal: the change is built in the app's own source, its
tests keep passing, and a user in Chromium can do what the change promised (which they could not
do before)."""

from __future__ import annotations

import pytest

from agents.code.checks import goal_checks
from agents.code.outcome import RunConfig
from agents.code.solve import run_solve
from agents.llm.base import ModelSpec
from agents.schemas import SuggestionSpec
from settings import Settings
from tests.agents.code.conftest import ROOT
from tests.agents.conftest import OpenSandbox

pytestmark = pytest.mark.browser
RECIPE = ModelSpec("offline", "offline-recipe")
EXAMPLES = ROOT / "examples"


@pytest.mark.parametrize(("app", "title", "recipe", "edited"), [
    ("spa", "Let people search the recipes", "search", {"index.html", "public/variantlab-search.js"}),
    ("blog", "Explain the password rules next to the password field", "password_hint",
     {"blog/templates/auth/register.html"}),
    ("blog", "Show validation errors inline, next to the field", "inline_validation",
     {"blog/templates/base.html", "blog/static/variantlab-validation.js"}),
    ("express", "Show a confirmation after adding to the basket", "confirmation",
     {"views/partials/footer.ejs", "public/variantlab-confirmation.js"}),
])
def test_each_app_kind_gets_a_working_change(app: str, title: str, recipe: str, edited: set[str],
                                             settings: Settings, open_box: OpenSandbox) -> None:
    repo = EXAMPLES / app
    if not (repo / "package.json").exists() and not (repo / "requirements.txt").exists():
        pytest.skip(f"examples/{app} is not there")
    with open_box(str(repo)) as sandbox:
        before, details = goal_checks(sandbox, recipe, [], browser=settings.browser)
    assert before is False, details
    outcome = run_solve(str(repo), SuggestionSpec(title=title, rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0, "baseline"), RunConfig(RECIPE, 0.0, "alternative")],
                        max_parallel=2, time_budget_s=600, settings=settings)
    champion = outcome.champion
    assert champion is not None, [(r.error_message, r.goal_checks) for r in outcome.runs]
    assert champion.tests_passed is True and champion.goal_checks_passed is True, champion.goal_checks
    assert set(champion.files_modified) == edited
    assert outcome.runs[0].diff != outcome.runs[1].diff
