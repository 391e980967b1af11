"""Which recipes exist, and how a free-text suggestion maps to one."""

from __future__ import annotations

import re
from collections.abc import Callable

from agents.code.recipes import (
    a11y,
    button_names,
    category_filter,
    confirmation,
    empty_state,
    inline_validation,
    landmarks,
    loading,
    navigation,
    next_step,
    password_hint,
    primary_action,
    result_count,
    search,
    shorter_form,
    sort,
    sticky_cart,
)
from agents.code.recipes.base import RecipeContext

RECIPES: dict[str, Callable[[RecipeContext], str]] = {
    "search": search.apply,
    "category_filter": category_filter.apply,
    "sort": sort.apply,
    "result_count": result_count.apply,
    "sticky_cart": sticky_cart.apply,
    "inline_validation": inline_validation.apply,
    "password_hint": password_hint.apply,
    "shorter_form": shorter_form.apply,
    "confirmation": confirmation.apply,
    "primary_action": primary_action.apply,
    "lang": a11y.lang,
    "alt_text": a11y.alt_text,
    "input_labels": a11y.input_labels,
    "button_names": button_names.apply,
    "next_step": next_step.apply,
    "empty_state": empty_state.apply,
    "loading_indicator": loading.apply,
    "breadcrumbs": navigation.breadcrumbs,
    "back_to_results": navigation.back_to_results,
    "sticky_nav": navigation.sticky_nav,
    "landmarks": landmarks.apply,
}
# How many distinct markups each recipe can build; variant numbers beyond it would repeat one.
VARIANTS: dict[str, int] = {
    "search": search.VARIANTS,
    "category_filter": category_filter.VARIANTS,
    "sort": sort.VARIANTS,
    "result_count": result_count.VARIANTS,
    "sticky_cart": sticky_cart.VARIANTS,
    "inline_validation": inline_validation.VARIANTS,
    "password_hint": password_hint.VARIANTS,
    "shorter_form": shorter_form.VARIANTS,
    "confirmation": confirmation.VARIANTS,
    "primary_action": primary_action.VARIANTS,
    "lang": a11y.VARIANTS,
    "alt_text": a11y.VARIANTS,
    "input_labels": a11y.VARIANTS,
    "button_names": button_names.VARIANTS,
    "next_step": next_step.VARIANTS,
    "empty_state": empty_state.VARIANTS,
    "loading_indicator": loading.VARIANTS,
    "breadcrumbs": navigation.BREADCRUMB_VARIANTS,
    "back_to_results": navigation.BACK_VARIANTS,
    "sticky_nav": navigation.STICKY_VARIANTS,
    "landmarks": landmarks.VARIANTS,
}

# The recipe named earliest in the text wins ("a search box with live filtering" is a search);
# on the same position, the earlier entry (the more specific phrase) wins.
KEYWORDS: list[tuple[str, str]] = [
    ("next_step", (r"next step|after (signing|sign(ing)?[ -]?up|registering|registration|joining)|welcome (page|message)|"
                   r"(new|first)[ -]time (users?|members?) .*(what to do|where to start)|onboarding")),
    ("empty_state", (r"empty[ -]?(states?|lists?|pages?|results?)|(list|page|state|inbox|feed) is empty|"
                     r"nothing (here|to show)|no items yet|zero results")),
    ("loading_indicator", (r"loading|spinner|busy indicator|progress (bar|indicator)|while (it )?(loads|saves|sends|waits)|"
                           r"(slow|pending) (requests?|responses?|submits?)|double[ -]submit")),
    ("landmarks", r"landmarks?|(duplicate|nested|multiple) <?(main|nav|header|footer)>?"),
    ("breadcrumbs", r"bread ?crumbs?|where (they|you|users) are|trail of (links|pages)"),
    ("back_to_results", (r"back to (the )?(results|search|list(ing)?)|return to (the )?(results|search|list)|"
                         r"(keep|restore|lose|lost) (the |their )?(search|query|results|place)")),
    ("sticky_nav", (r"(sticky|persistent|fixed|always[ -]visible|visible) (main |primary |top )?(nav|menu|header)|"
                    r"(nav(igation)?|menu|header)( bar)? (sticky|persistent|visible|on screen|in view|while scrolling|"
                    r"at the top)")),
    ("primary_action", (r"primary action|create action|(label|name) .*(create|new|\+)|new post button|"
                       r"prominent .*(create|new|write)")),
    ("lang", r"\blang\b|language of the page|page language|declare the language"),
    ("alt_text", r"\balt\b|alt text|text alternatives?|describe (the )?images|image descriptions?"),
    ("button_names", (r"button-name|buttons? must have discernible text|icon[ -]only buttons?|"
                      r"(name|label)s? (for|to|on) (the |every |all )?(icon )?buttons?|buttons? (a |with )?(names?|labels?)")),
    ("input_labels", (r"unlabel|missing labels?|labels? (for|to|on) (the |every |all )?(inputs?|fields?|controls?)|"
                      r"accessible names?")),
    ("confirmation", (r"confirm(ation)? (message|after|that)|toast|no sign it worked|feedback after|"
                     r"(show|say|tell).* (added|saved|it worked)|added to (the )?(cart|basket) (message|notice)")),
    ("password_hint", r"password (rule|requirement|hint|policy|strength)|explain .*password"),
    ("inline_validation", r"inline|on blur|validat|error message|which field"),
    ("shorter_form", r"shorte[rn]|fewer fields|optional|more details|long form|overlong|reduce .*fields"),
    ("category_filter", r"categor|filter"),
    ("sort", r"\bsort|order by|price (low|high)"),
    ("result_count", r"result count|number of (results|products)|showing \w+ products|count of products"),
    ("sticky_cart", r"sticky|cart (count|badge|visible|icon)|basket"),
    ("search", r"search|find (a )?product|look ?up"),
]


def resolve(title: str, recipe: str | None) -> str | None:
    """The recipe for a suggestion: its explicit hint if known, else the earliest keyword match."""
    if recipe in RECIPES:
        return recipe
    text = title.lower()
    hits = [(m.start(), order, name) for order, (name, pattern) in enumerate(KEYWORDS)
            if (m := re.search(pattern, text))]
    return min(hits)[2] if hits else None
