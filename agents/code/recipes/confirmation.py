"""Confirmation: after an action (add to basket, save, post) a short message says it worked."""

from __future__ import annotations

from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.runtime import TOAST_BODY, add_module, module_js

# Distinct markups: the wording of the message.
VARIANTS = 2
WORDING = [("\u2713 {done}: {name}", "\u2713 {done}"), ("{name} \u2014 {done}. Thank you!", "{done}. Thank you!")]
ACTIONS = r"\b(add|save|post|publish|create|submit|send|subscribe|book|buy|order)\b"


def apply(ctx: RecipeContext) -> str:
    if ctx.design == "minimal":
        raise RecipeError("a confirmation after an action needs a script; the markup-only design cannot show one")
    top = ctx.design == "alternative"
    wording, bare = ctx.pick(WORDING)  # type: ignore[misc]
    options = {"wording": wording, "bare": bare, "actions": ACTIONS, "seconds": 4,
               "position": "top:1rem;" if top else "bottom:1.5rem;"}
    shell = add_module(ctx, "variantlab-confirmation.js", module_js("confirmation", "confirmation", TOAST_BODY, options),
                       f"a confirmation at the {'top' if top else 'bottom'} of the screen after an action button is "
                       "pressed (also on the page a sent form loads)")
    return (f"Added a confirmation after actions to the {shell.kind} shell ({shell.evidence}), shown at the "
            f"{'top' if top else 'bottom'} of the screen.")
