"""Loading indicators: while a request is pending or a form is being sent, the page says it is busy.

A click that answers only after a second looks like a click that did nothing, and people click
again (a second order, a second post). The module counts the requests the page's scripts make
(fetch and XMLHttpRequest) and forms the browser sends, and once a wait is long enough to notice
shows a busy indicator (a status that screen readers announce) and marks the form and its button
busy until the answer arrives or the next page replaces this one.
"""

from __future__ import annotations

from agents.code.recipes import evidence
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.runtime import add_module, module_js
from agents.code.recipes.runtime_more import LOADING_BODY

# Distinct markups: the wording.
VARIANTS = 2
WORDING = [{"loading": "Loading\u2026", "sending": "Sending\u2026"},
           {"loading": "Please wait\u2026", "sending": "Please wait, sending\u2026"}]
POSITIONS = {"baseline": "top:.75rem;left:50%;transform:translateX(-50%);", "alternative": "right:1rem;bottom:1rem;"}


def apply(ctx: RecipeContext) -> str:
    found = evidence.requests_after_load(ctx)
    if not found:
        raise RecipeError("no form and no request made from a script in the sources: nothing is ever loaded after "
                          "the first page, so there is nothing to show a loading indicator for")
    if ctx.design == "minimal":
        raise RecipeError("a loading indicator while a request is pending needs a script; the markup-only design "
                          "cannot see requests")
    wording = dict(ctx.pick(WORDING))  # type: ignore[call-overload]
    where = "alternative" if ctx.design == "alternative" else "baseline"
    options = {**wording, "delay": 150, "patience": 15000, "position": POSITIONS[where]}
    shell = add_module(ctx, "variantlab-loading.js", module_js("loading", "loading indicator", LOADING_BODY, options),
                       f"a busy indicator ('{wording['loading']}') at the "
                       f"{'bottom corner' if where == 'alternative' else 'top'} of the screen while a request is "
                       "pending or a form is being sent")
    return (f"Added a loading indicator to the {shell.kind} shell ({shell.evidence}) for: {'; '.join(found[:3])}.")
