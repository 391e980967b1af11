"""Offline heuristics for "suggest_changes": rank the known recipes by the goal, then by the issues they address.

Each recipe is a change the offline recipe code agent can build. A recipe addresses an observed
issue when the issue's text matches the recipe's keywords, so the rationale can quote it. The
changes of the kinds the goal is about come first (issue #14); other kinds follow only with an
observation they address. Deterministic and de-duplicated (one suggestion per recipe).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.schemas import SuggestionList, SuggestionSpec, VariantAnalysis


@dataclass(frozen=True)
class Recipe:
    key: str
    kind: str  # a key of _KIND_WORDS: the kind of site problem the change is for
    title: str
    why: str
    target_metric: str
    keywords: tuple[str, ...]

    @property
    def needs_finding(self) -> bool:
        """A fix for an axe rule: with no finding of its rule there is nothing to fix or to measure,
        however much the goal is about accessibility."""
        return self.target_metric == "a11y_violations"


# Order is the tie-break: the change with the broadest effect first.
RECIPES: tuple[Recipe, ...] = (
    Recipe(
        "search",
        "shop",
        "Add a search box that filters products as you type",
        "a search box takes users straight to a named product instead of paging through the catalogue",
        "task_success",
        ("search", "find", "found", "look for", "locate", "paged", "pagination", "scroll"),
    ),
    Recipe(
        "category_filter",
        "shop",
        "Add category filters to the product listing",
        "filtering by category narrows the listing to the products that matter",
        "task_success",
        ("categor", "filter", "browse", "section", "narrow", "irrelevant", "mixed"),
    ),
    Recipe(
        "sort",
        "shop",
        "Let users sort products by price and name",
        "sorting lets users bring the cheapest or alphabetically nearest products to the top",
        "n_actions",
        ("sort", "price", "cheap", "expensive", "order", "compare", "alphabet"),
    ),
    Recipe(
        "result_count",
        "shop",
        "Show how many products and pages there are, with more per page",
        "knowing how many results and pages remain stops users getting lost in the pagination",
        "n_actions",
        ("how many", "count", "total", "lost", "backtrack", "dead end", "page of", "which page"),
    ),
    Recipe(
        "sticky_cart",
        "shop",
        "Keep a cart summary visible and confirm each item added",
        "a visible cart with a confirmation shows users that adding to the cart worked",
        "task_success",
        ("cart", "basket", "checkout", "added", "add to"),
    ),
    Recipe(
        "back_to_results",
        "navigation",
        "Link back to the results from every item, with the search kept",
        "coming back from an item to a listing that has forgotten the search means typing and scrolling again; a "
        "link back that restores the results saves that",
        "n_actions",
        ("backtrack", "back to", "back button", "went back", "come back", "came back", "coming back", "search again",
         "searched again", "retyp", "start over", "lost their place", "results again"),
    ),
    Recipe(
        "breadcrumbs",
        "navigation",
        "Add breadcrumbs to detail pages",
        "a trail of where the page sits (home, section, this page) shows visitors where they are and takes them up a "
        "level in one click",
        "n_actions",
        ("breadcrumb", "where they are", "where am i", "lost", "deep", "hierarchy", "up a level", "disoriented",
         "orient"),
    ),
    Recipe(
        "sticky_nav",
        "navigation",
        "Keep the main navigation on screen while scrolling",
        "on a long page the menu scrolls away and visitors scroll all the way back up to go anywhere; a navigation "
        "that stays at the top is always one click away",
        "n_actions",
        ("menu", "navigation", "nav bar", "navbar", "scroll back", "scrolled back", "scroll up", "top of the page",
         "long page"),
    ),
    Recipe(
        "primary_action",
        "content",
        "Give the main create action a visible label and a button look",
        "a create control that is only a symbol ('+') is not read as 'write a post'; a labelled button shows "
        "new visitors their first step",
        "task_success",
        ("no create form", "no link to one", "create", "new post", "write", "compose", "publish",
         "add their first", "add a first", "add the first", "add new", "add a new"),
    ),
    Recipe(
        "empty_state",
        "content",
        "Say what to do when a list is empty",
        "an empty list shows nothing at all, so visitors cannot tell 'nothing yet' from 'broken'; a message with the "
        "first action to take starts them off",
        "task_success",
        ("empty", "nothing here", "nothing to show", "no items", "no posts", "no results", "blank", "where to start"),
    ),
    Recipe(
        "confirmation",
        "feedback",
        "Confirm each action with a short message that says it worked",
        "a visible confirmation after adding, saving or posting tells users their action worked, so they "
        "stop repeating it or checking elsewhere",
        "task_success",
        ("worked", "confirm", "did not show", "nothing visible", "nothing happened", "no sign", "feedback",
         "clicked", "again", "repeat"),
    ),
    Recipe(
        "loading_indicator",
        "feedback",
        "Show a loading indicator while the app is working",
        "a click that answers only after a moment looks like one that did nothing; a busy indicator stops people "
        "waiting blind or clicking again",
        "task_success",
        ("loading", "slow", "spinner", "busy", "waiting", "wait", "pending", "twice", "double", "froze", "stuck",
         "unresponsive", "took"),
    ),
    Recipe(
        "inline_validation",
        "form",
        "Validate form fields inline with specific error messages",
        "errors shown next to each field as it is filled in replace vague messages after submit",
        "task_success",
        (
            "error",
            "invalid",
            "validat",
            "after submit",
            "rejected",
            "unclear",
            "message",
            "resubmit",
            "retry",
        ),
    ),
    Recipe(
        "password_hint",
        "form",
        "Explain the password rules next to the password field",
        "stating the password rule up front prevents failed submissions over a hidden requirement",
        "task_success",
        ("password", "rule", "requirement", "weak"),
    ),
    Recipe(
        "shorter_form",
        "form",
        "Shorten the sign-up form to the essential fields",
        "fewer required fields means less effort and fewer chances to fail before signing up",
        "task_success",
        ("required", "field", "long", "abandon", "tedious", "too many", "effort", "optional"),
    ),
    Recipe(
        "next_step",
        "onboarding",
        "Show new members a clear next step right after they sign up",
        "a sign-up that ends on a bare welcome leaves new members guessing what to do; one prominent next step turns "
        "the new account into a first use",
        "task_success",
        ("after sign", "after signing", "after registering", "signed up", "next step", "what to do next", "welcome",
         "dead end", "onboard", "first step", "no link to one"),
    ),
    # Accessibility fixes from the panel's axe findings: mechanical, and measured by the a11y guardrail.
    Recipe(
        "input_labels",
        "a11y",
        "Give every form field a label that screen readers announce",
        "a field without an accessible name is announced as just 'edit text', so people using a screen "
        "reader cannot tell what to type",
        "a11y_violations",
        ("violation label", "violation select-name", "form elements must have labels", "unlabel"),
    ),
    Recipe(
        "button_names",
        "a11y",
        "Name every icon-only button for screen readers",
        "a button that shows only an icon is announced as just 'button', so people using a screen reader "
        "cannot tell adding from deleting",
        "a11y_violations",
        ("button-name", "buttons must have discernible text"),
    ),
    Recipe(
        "alt_text",
        "a11y",
        "Describe every image with alternative text",
        "images without a text alternative are silent for screen readers and blank when they fail to load",
        "a11y_violations",
        ("image-alt", "role-img-alt", "input-image-alt", "alternative text", "alt text"),
    ),
    Recipe(
        "lang",
        "a11y",
        "Declare each page's language",
        "without a language, screen readers read the page with the wrong voice and pronunciation",
        "a11y_violations",
        ("html-has-lang", "html-lang-valid", "lang attribute"),
    ),
    Recipe(
        "landmarks",
        "a11y",
        "Give each page one main region and tell its navigation landmarks apart",
        "screen reader users jump from landmark to landmark; two mains, a navigation inside a navigation or several "
        "unnamed navigations send those jumps to the wrong place",
        "a11y_violations",
        # The rules recipes/landmarks.py fixes: a missing main (axe's landmark-one-main, and region, where
        # content sits outside every landmark) is added there, duplicates and nesting are resolved.
        ("landmark-one-main", "region", "landmark-no-duplicate", "landmark-unique", "landmark-banner-is-top-level",
         "landmark-complementary-is-top-level", "landmark-contentinfo-is-top-level", "landmark-main-is-top-level",
         "duplicate landmark", "nested landmark"),
    ),
)

_KIND_WORDS = {
    "shop": ("product", "cart", "item", "catalog", "shop", "listing", "categor", "buy", "price", "store",
             "find", "search", "look for", "locate"),
    "form": ("form", "sign", "password", "field", "register", "submit", "account", "onboard"),
    # "add their first product" is about creating content, though "product" is a shop word: adding
    # one's own first thing (or a new one) counts twice, so it outweighs the noun. Adding to a cart does not.
    "content": ("post", "write", "create", "publish", "compose", "article", "note", "blog", "empty", "nothing here",
                "no items", "add their first", "add a first", "add the first", "their first", "add new", "add a new"),
    "a11y": ("accessib", "screen reader", "violation label", "image-alt", "html-has-lang", "alt text", "landmark",
             "button-name"),
    "feedback": ("worked", "confirm", "no sign", "nothing happened", "nothing visible", "did not show",
                 "feedback", "saved", "added", "loading", "slow", "spinner", "waiting", "twice", "stuck", "froze"),
    "onboarding": ("after sign", "signed up", "welcome", "next step", "what to do next", "onboard", "new member",
                   "first step", "get started"),
    "navigation": ("navigat", "menu", "breadcrumb", "back to", "went back", "come back", "came back", "backtrack",
                   "lost", "where am i", "where they are", "orient", "scroll back", "scrolled back"),
}


def _matches(text: str, words: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(word)}", lowered) for word in words)


# Only what an observation says about the site is evidence. Quoted spans name the task, the flow or
# an item ("'Find Trail Poles and add it to the cart': 3/4 failed"); parentheses list the panel's own
# personas and seeds ("(searcher x4, category_navigator x4; seeds …)"); URLs are where, not what.
_NOT_EVIDENCE = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|\([^)]*(?:\bx\d+\b|\bseeds?\b)[^)]*\)|\bhttps?://\S+")


def _evidence(text: str) -> str:
    return _NOT_EVIDENCE.sub(" ", text)


def _kind_scores(texts: list[str]) -> dict[str, int]:
    return {kind: sum(_matches(t, words) for t in texts) for kind, words in _KIND_WORDS.items()}


def _leading(scores: dict[str, int]) -> set[str]:
    best = max(scores.values())
    if best == 0:
        return set()
    # A kind with under half the evidence of the leading one is noise (a stray word), not the site.
    return {kind for kind, score in scores.items() if score * 2 >= best}


def _relevant_kinds(goal: str, analysis: VariantAnalysis) -> tuple[set[str], set[str]]:
    """The kinds the goal is about, then the other kinds what went wrong is about.

    The goal is asked first and on its own: several axe findings are usual on any site, and counted
    alongside the goal they would outvote it (issue #14). Insights describe how the panel went about
    it ("median 5 actions when it worked") in words that would otherwise vote for the wrong kind."""
    observed = _leading(_kind_scores([_evidence(t) for t in (analysis.summary, *analysis.issues)]))
    goal_kinds = {kind for kind, words in _KIND_WORDS.items() if _matches(goal, words)}
    if not goal_kinds:  # the goal names no kind: what went wrong stands in for it, or nothing tells them apart
        goal_kinds = observed or set(_KIND_WORDS)
    return goal_kinds, observed - goal_kinds


def _rationale(recipe: Recipe, addressed: list[str], goal: str) -> str:
    if addressed:
        quoted = "; ".join(f'"{issue}"' for issue in addressed[:3])
        more = f" (and {len(addressed) - 3} more)" if len(addressed) > 3 else ""
        return f"Observed: {quoted}{more}. {recipe.why[0].upper()}{recipe.why[1:]}."
    return f'No observed issue points at this directly; it serves the goal "{goal}" because {recipe.why}.'


def suggest_changes(goal: str, analysis: VariantAnalysis, n: int,
                    existing: frozenset[str] = frozenset(),
                    unsupported: frozenset[str] = frozenset()) -> SuggestionList:
    """Goal first, then the observations each change addresses (issue #14). `existing`: features the
    app already has (the scout saw them rendered); they are not added again. `unsupported`: changes the
    app has nothing for (no listed items to search, no prices to sort by); they are not suggested.

    A change of another kind than the goal's comes only after the goal's, and only with an observation
    it addresses; a change with nothing behind it (no observation, and a goal it does not serve) is not
    suggested, so fewer than n may come back."""
    goal_kinds, other_kinds = _relevant_kinds(goal, analysis)
    scored = []
    for rank, recipe in enumerate(RECIPES):
        if recipe.key in existing or recipe.key in unsupported or recipe.kind not in goal_kinds | other_kinds:
            continue
        addressed = [issue for issue in dict.fromkeys(analysis.issues) if _matches(_evidence(issue), recipe.keywords)]
        on_goal = recipe.kind in goal_kinds
        if not addressed and (not on_goal or recipe.needs_finding):
            continue
        goal_hit = _matches(goal, recipe.keywords)
        # The goal's kinds first; within them a change with observed evidence outranks one without,
        # then the goal's own words decide, then how much was observed.
        scored.append((not on_goal, not addressed, not goal_hit, -len(addressed), rank, recipe, addressed))
    scored.sort(key=lambda row: row[:5])
    suggestions = [
        SuggestionSpec(
            title=recipe.title,
            rationale=_rationale(recipe, addressed, goal),
            addresses_issues=addressed,
            target_metric=recipe.target_metric,
            recipe=recipe.key,
        )
        for *_, recipe, addressed in scored[: max(0, n)]
    ]
    return SuggestionList(suggestions=suggestions)
