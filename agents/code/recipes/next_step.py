"""Next step after sign-up: the page a new member lands on says they are in and offers one clear link.

A sign-up that ends on a bare "Welcome" (or on the home page as if nothing happened) leaves a new
member to guess what to do first. The module remembers a sign-up form being sent, and on the page
that follows — unless it shows the sign-up form again, i.e. it was turned down — puts a welcome with
one primary link at the top: the app's create action, else the member's own space, else browsing;
a log-in form there is the next step itself. A sign-up a script handles in place counts once the
form goes away.
"""

from __future__ import annotations

from agents.code.recipes import evidence
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.runtime import add_module, module_js
from agents.code.recipes.runtime_more import NEXT_STEP_BODY

# Distinct markups: the wording of the welcome.
VARIANTS = 2
WORDING = [
    {"welcome": "Welcome! Your account is ready.", "lead": "Here is a good first step:",
     "done": "You can start using it now.", "create": "Get started", "login": "Log in with your new account",
     "home": "Go to the home page"},
    {"welcome": "You're signed up.", "lead": "What to do next:", "done": "Everything is set up for you.",
     "create": "Start here", "login": "Log in now", "home": "Continue to the home page"},
]


def apply(ctx: RecipeContext) -> str:
    found = evidence.sign_up_forms(ctx)
    if not found:
        raise RecipeError("no sign-up form in the sources (a form with a password to choose, or one that says "
                          "register / sign up / join): there is no sign-up to follow with a next step")
    if ctx.design == "minimal":
        raise RecipeError("a next step shown after a sign-up is sent needs a script; the markup-only design cannot")
    wording = dict(ctx.pick(WORDING))  # type: ignore[call-overload]
    placement = "top" if ctx.design == "alternative" else "after-heading"
    shell = add_module(ctx, "variantlab-next-step.js",
                       module_js("next_step", "next step after sign-up", NEXT_STEP_BODY, {**wording, "placement": placement}),
                       f"after a sign-up, a welcome ('{wording['welcome']}') with one primary link on the page it "
                       f"lands on ({'top of the content' if placement == 'top' else 'under its heading'})")
    return (f"Added a welcome with one next step after sign-up to the {shell.kind} shell ({shell.evidence}); "
            f"sign-up found in {found[0].split(':')[0]}.")
