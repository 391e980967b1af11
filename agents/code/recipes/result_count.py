"""Result count: "Showing N of T products" above every product list, counted from the markup."""

from __future__ import annotations

from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.catalog import edit_listings, require_lists
from agents.code.recipes.listing_modules import COUNT_BODY
from agents.code.recipes.runtime import add_module, module_js
from agents.code.site import listing_pages

# Distinct markups: the wording and the placement both follow the variant's parity.
VARIANTS = 2
WORDING = ["Showing {n} of {total} products", "{n} of {total} products shown on this page"]


def _key(item) -> str:  # type: ignore[no-untyped-def]
    links = [a.attrs.get("href", "") for a in item.find_all("a") if a.attrs.get("href")]
    return links[0] if links else item.text()


def apply(ctx: RecipeContext) -> str:
    if not ctx.static_site or not listing_pages(ctx.pages):
        if ctx.design == "minimal":
            raise RecipeError("a listing rendered by a template or script is counted in the page; the markup-only "
                              "design cannot count it")
        wording = str(ctx.pick(WORDING)).replace(" on this page", "")
        options = {"wording": wording, "placement": "top" if ctx.design == "alternative" else "inline"}
        shell = add_module(ctx, "variantlab-count.js", module_js("count", "result count", COUNT_BODY, options),
                           f'"{wording}" above the rendered listing, kept up to date as items show or hide')
        return f"Added a result count module to the {shell.kind} shell ({shell.evidence})."
    lists = require_lists(ctx)
    total = len({_key(i) for pl in lists for i in pl.items})
    wording = str(ctx.pick(WORDING))
    role = ' role="status"' if ctx.refined else ""
    for pl in lists:
        # Each page gets its own count, so edit_listings is called per page.
        text = wording.format(n=len(pl.items), total=total)
        edit_listings(ctx, [pl], f'<p class="vl-result-count"{role}>{text}</p>', None, None,
                      f'added "{text}" above the product list')
    return f"Added a result count to {len(lists)} listing page(s) ({total} products in total)."
