"""Empty states: a list rendered with no items says so and offers what to do about it.

An empty list shows nothing at all — no notes yet, no results, an empty basket — and a visitor
cannot tell "nothing here" from "still loading" or "broken". The module finds, on the rendered
page, list containers that have stayed empty for a moment (a list being filled by a fetch is not
empty) and puts a short message after them with the page's primary action: its create link, its
own add form, undoing a search, or the home page. It goes away when items arrive.
"""

from __future__ import annotations

from agents.code.recipes import evidence
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.runtime import add_module, module_js
from agents.code.recipes.runtime_more import EMPTY_STATE_BODY

# Distinct markups: the wording of the message and its action.
VARIANTS = 2
WORDING = [
    {"wording": "No {noun} yet.", "bare": "Nothing here yet.", "create": "Create the first one",
     "add": "Add the first one", "clear": "Clear the search", "home": "Go to the home page"},
    {"wording": "There are no {noun} to show.", "bare": "There is nothing to show yet.", "create": "Add one now",
     "add": "Add one now", "clear": "Show everything", "home": "Back to the home page"},
]


def apply(ctx: RecipeContext) -> str:
    found = evidence.rendered_lists(ctx)
    if not found:
        raise RecipeError("every list in the sources is written out in full in the markup: none is rendered from "
                          "data (no template loop, component map or script building items), so none can be empty")
    if ctx.design == "minimal":
        raise RecipeError("an empty state for lists rendered from data needs a script; the markup-only design cannot")
    wording = dict(ctx.pick(WORDING))  # type: ignore[call-overload]
    placement = "before" if ctx.design == "alternative" else "after"
    options = {**wording, "wait": 600, "placement": placement}
    shell = add_module(ctx, "variantlab-empty-state.js",
                       module_js("empty_state", "empty states", EMPTY_STATE_BODY, options),
                       f"a message ('{wording['bare']}') and the page's primary action {placement} every list "
                       "that is rendered with no items")
    return (f"Added empty states for lists rendered with no items to the {shell.kind} shell ({shell.evidence}); "
            f"lists from data: {'; '.join(found[:3])}.")
