"""Navigation recipes: breadcrumbs on detail pages, a way back to the results, a navigation that stays.

Each is a behaviour module in the app's shell (see runtime_nav.py); each first looks in the sources
for what it needs (agents/code/recipes/evidence.py) and refuses with the reason when there is none.
"""

from __future__ import annotations

from agents.code.recipes import evidence
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.runtime import add_module, module_js
from agents.code.recipes.runtime_nav import BACK_TO_RESULTS_BODY, BREADCRUMBS_BODY, STICKY_NAV_BODY

# Distinct markups of each: the wording (breadcrumbs, back link) or the look (navigation).
BREADCRUMB_WORDING = [{"home": "Home", "label": "Breadcrumb", "separator": "\\203A"},
                      {"home": "Start", "label": "You are here", "separator": "/"}]
BACK_WORDING = [{"wording": "\u2039 Back to results for \u201c{q}\u201d", "bare": "\u2039 Back to results"},
                {"wording": "\u2190 Back to your search: \u201c{q}\u201d", "bare": "\u2190 Back to the list"}]
NAV_EDGES = ["box-shadow:0 2px 6px rgba(0,0,0,.15)", "border-bottom:1px solid rgba(0,0,0,.2)"]
BREADCRUMB_VARIANTS = len(BREADCRUMB_WORDING)
BACK_VARIANTS = len(BACK_WORDING)
STICKY_VARIANTS = len(NAV_EDGES)


def _scripted(ctx: RecipeContext, what: str) -> None:
    if ctx.design == "minimal":
        raise RecipeError(f"{what} needs a script; the markup-only design cannot")


def breadcrumbs(ctx: RecipeContext) -> str:
    found = evidence.pages_below_home(ctx)
    if not found:
        raise RecipeError("no detail pages in the sources: every page is the home page or a section the navigation "
                          "already lists, so a trail would only repeat the navigation")
    _scripted(ctx, "a trail built from the page's address and links")
    wording = dict(ctx.pick(BREADCRUMB_WORDING))  # type: ignore[call-overload]
    placement = "top" if ctx.design == "alternative" else "heading"
    shell = add_module(ctx, "variantlab-breadcrumbs.js",
                       module_js("breadcrumbs", "breadcrumbs", BREADCRUMBS_BODY, {**wording, "placement": placement}),
                       f"a breadcrumb trail ({wording['home']} \u203a \u2026 \u203a this page) "
                       f"{'at the top of the content' if placement == 'top' else 'above the heading'} of detail pages")
    return f"Added breadcrumbs to detail pages through the {shell.kind} shell ({shell.evidence}); e.g. {found[0]}."


def back_to_results(ctx: RecipeContext) -> str:
    found = evidence.rendered_lists(ctx, with_links=True)
    if not found:
        raise RecipeError("no listing in the sources whose items link to their own pages: there are no results to "
                          "come back to")
    _scripted(ctx, "remembering the results a visitor left")
    wording = dict(ctx.pick(BACK_WORDING))  # type: ignore[call-overload]
    placement = "top" if ctx.design == "alternative" else "heading"
    shell = add_module(ctx, "variantlab-back-to-results.js",
                       module_js("back_to_results", "back to results", BACK_TO_RESULTS_BODY,
                                 {**wording, "placement": placement}),
                       f"on an item opened from a listing, a link back ('{wording['bare']}') that restores the "
                       "listing's address, what was typed in its search and its scroll position")
    return f"Added a way back to the results to the {shell.kind} shell ({shell.evidence}); listings: {found[0]}."


def sticky_nav(ctx: RecipeContext) -> str:
    found = evidence.navigation_bars(ctx)
    if not found:
        raise RecipeError("no navigation bar in the sources (a <nav> or <header> with links) to keep on screen")
    kept = evidence.kept_on_screen(ctx)
    if kept:
        raise RecipeError(f"the navigation is already kept on screen ({kept})")
    _scripted(ctx, "keeping the navigation the page renders on screen")
    mode = "fixed" if ctx.design == "alternative" else "sticky"
    edge = str(ctx.pick(NAV_EDGES))
    shell = add_module(ctx, "variantlab-sticky-nav.js",
                       module_js("sticky_nav", "persistent navigation", STICKY_NAV_BODY, {"mode": mode, "edge": edge}),
                       f"the primary navigation kept at the top of the screen while scrolling ({mode})")
    return f"Kept the primary navigation on screen ({mode}) through the {shell.kind} shell ({shell.evidence}); {found[0]}."
