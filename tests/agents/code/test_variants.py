"""Each recipe's declared markup variants really differ, and the agent draws only among them."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.code.recipe_agent import pick_variant, run_recipe_agent
from agents.code.recipes.base import RecipeContext
from agents.code.recipes.registry import RECIPES, VARIANTS
from agents.schemas import SuggestionSpec
from tests.agents.code.conftest import SHOP, SIGNUP

FIXTURES = Path(__file__).parent / "fixtures"
APP = {"search": SHOP, "category_filter": SHOP, "sort": SHOP, "result_count": SHOP, "sticky_cart": SHOP,
       "inline_validation": SIGNUP, "password_hint": SIGNUP, "shorter_form": SIGNUP, "confirmation": SHOP, "primary_action": SHOP,
       **dict.fromkeys(("lang", "alt_text", "input_labels", "button_names"), FIXTURES / "a11y"),
       **dict.fromkeys(("next_step", "empty_state", "loading_indicator", "breadcrumbs", "back_to_results", "sticky_nav",
                        "landmarks"), FIXTURES / "journal")}


class MemoryWorkspace:
    """An app's files read from disk, written to memory: what a recipe writes is its whole output."""

    def __init__(self, root: Path) -> None:
        self.root, self.written = root, {}  # type: ignore[var-annotated]

    def list_files(self, path: str = ".") -> list[str]:
        base = self.root if path in ("", ".") else self.root / path
        found = {str(p.relative_to(self.root)) for p in base.rglob("*") if p.is_file()} | set(self.written)
        return sorted(f for f in found if not f.startswith(".git/"))

    def read_file(self, path: str) -> str:
        return self.written[path] if path in self.written else (self.root / path).read_text()

    def write_file(self, path: str, content: str) -> None:
        self.written[path] = content


def test_every_recipe_is_declared_and_covered() -> None:
    assert set(VARIANTS) == set(RECIPES) == set(APP)
    assert all(count >= 1 for count in VARIANTS.values())


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_declared_variants_are_pairwise_different(recipe: str) -> None:
    outputs = []
    for variant in range(VARIANTS[recipe]):
        ws = MemoryWorkspace(APP[recipe])
        RECIPES[recipe](RecipeContext(ws=ws, variant=variant))
        outputs.append(ws.written)
    assert all(outputs[i] != outputs[j] for i in range(len(outputs)) for j in range(i))


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_temperatures_draw_a_different_variant_where_there_is_one(recipe: str) -> None:
    written = {}
    for temperature in (0.0, 0.7):
        ws = MemoryWorkspace(APP[recipe])
        result = run_recipe_agent(ws, SuggestionSpec(title=recipe, rationale="t", recipe=recipe),
                                  temperature=temperature)
        assert result.status == "completed", result.error_message
        written[temperature] = ws.written
    if VARIANTS[recipe] >= 2:
        assert written[0.0] != written[0.7]
    for temperature in (0.0, 0.3, 0.7, 1.0, 1.3):
        for strategy in ("baseline", "feedback_refined"):
            assert 0 <= pick_variant(recipe, temperature, strategy) < VARIANTS[recipe]
