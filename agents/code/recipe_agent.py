"""The offline code agent: implements known UX recipes in the app's own source, for any app kind.

Runs differ for real and deterministically: the strategy picks a design (baseline, alternative,
minimal: see recipes/base.py DESIGNS), temperature seeds the choice among a recipe's equivalent
markup variants, and the "feedback_refined" strategy adds accessibility refinements.
"""

from __future__ import annotations

import random

from agents.code.recipes.base import DESIGNS, RecipeContext, RecipeError
from agents.code.recipes.registry import RECIPES, VARIANTS, resolve
from agents.code.result import AgentResult
from agents.code.site import Workspace
from agents.code.trajectory import RecordingWorkspace, Trajectory
from agents.schemas import SuggestionSpec


def pick_variant(recipe: str, temperature: float, strategy: str) -> int:
    """Temperature 0 always takes the first variant; higher temperatures draw one of the recipe's others,
    seeded, so a matrix over temperatures really tries different markup.

    The draw is among the variants the recipe declares: a number past them would wrap round to one
    already tried (with two variants, 2 built variant 0's markup again). A matrix with more
    temperatures than a recipe has variants still repeats one; the solve marks those runs duplicates.
    The model is not part of the seed: this agent has none, so models would only reshuffle the draw.
    """
    count = VARIANTS.get(recipe, 1)
    if temperature <= 0 or count < 2:
        return 0
    return random.Random(f"{recipe}|{temperature:.3f}|{strategy}").randrange(1, count)


def run_recipe_agent(
    ws: Workspace,
    suggestion: SuggestionSpec,
    *,
    temperature: float = 0.0,
    strategy: str = "baseline",
    static_root: str = ".",
) -> AgentResult:
    trajectory = Trajectory()
    recipe = resolve(suggestion.title, suggestion.recipe)
    if recipe is None:
        trajectory.exit_status = "no_recipe"
        reason = f"no recipe for {suggestion.title!r} (known: {', '.join(RECIPES)})"
        return AgentResult("failed", reason, error_message=reason, trajectory=trajectory.as_dict())
    ctx = RecipeContext(
        ws=RecordingWorkspace(ws, trajectory),
        static_root=static_root,
        variant=pick_variant(recipe, temperature, strategy),
        refined=strategy == "feedback_refined",
        design=strategy if strategy in DESIGNS else "baseline",
    )
    try:
        summary = RECIPES[recipe](ctx)
    except RecipeError as exc:
        trajectory.exit_status = "recipe_failed"
        reason = f"{recipe}: {exc}"
        return AgentResult("failed", reason, error_message=reason, trajectory=trajectory.as_dict(), recipe=recipe,
                           code_changes=ctx.code_changes())
    trajectory.exit_status = "submitted"
    variant_note = f" (design {ctx.design}, markup variant {ctx.variant}{', refined' if ctx.refined else ''})"
    return AgentResult("completed", summary + variant_note, code_changes=ctx.code_changes(),
                       trajectory=trajectory.as_dict(), recipe=recipe)
