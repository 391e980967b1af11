"""Category filter: a select (or buttons) built from the data-category values of the products."""

from __future__ import annotations

from agents.code.markup import escape_attr, escape_text
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.catalog import catalog_js, edit_listings, require_lists
from agents.code.recipes.listing_modules import CATEGORY_BODY
from agents.code.recipes.runtime import add_module, module_js
from agents.code.site import ProductList, listing_pages

# Distinct markups: a select or buttons, each with its own placement (both follow the parity).
VARIANTS = 2
FILTER_JS = """/* variantlab category filter: shows one category's products from all listing pages. */
(function () {
  "use strict";
%(catalog)s
  var status = document.getElementById("vl-category-status");
  var controls = document.querySelectorAll("[data-vl-category]");

  function categoryOf(card) {
    var tagged = card.hasAttribute("data-category") ? card : card.querySelector("[data-category]");
    return tagged ? tagged.getAttribute("data-category") : "";
  }

  function choose(category) {
    controls.forEach(function (el) {
      if (el.tagName === "BUTTON") el.setAttribute("aria-pressed", String(el.value === category));
    });
    if (!category) { show(original); status.textContent = ""; return; }
    loadCatalog().then(function (cards) {
      var hits = cards.filter(function (card) { return categoryOf(card) === category; });
      show(hits);
      status.textContent = hits.length + (hits.length === 1 ? " product" : " products") + " in " + category;
    });
  }

  controls.forEach(function (el) {
    el.addEventListener(el.tagName === "SELECT" ? "change" : "click", function () { choose(el.value); });
  });
})();
"""

FILTER_CSS = """/* variantlab category filter */
.vl-category { margin: 0 0 1rem; display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.vl-category button[aria-pressed="true"] { font-weight: bold; text-decoration: underline; }
"""


def categories(lists: list[ProductList]) -> list[str]:
    found: set[str] = set()
    for pl in lists:
        for item in pl.items:
            for node in item.iter():
                if node.attrs.get("data-category"):
                    found.add(node.attrs["data-category"].strip())
                    break
    return sorted(found)


def apply(ctx: RecipeContext) -> str:
    if ctx.design == "minimal":
        raise RecipeError("a filter that hides the other categories needs a script; the markup-only design cannot")
    if not ctx.static_site or not listing_pages(ctx.pages):
        return _runtime(ctx)
    return _static(ctx)


def _runtime(ctx: RecipeContext) -> str:
    placement = "top" if (ctx.variant + (ctx.design == "alternative")) % 2 else "inline"
    options = {"label": "Category", "all": "All categories", "placement": placement}
    shell = add_module(ctx, "variantlab-category.js",
                       module_js("category", "category filter", CATEGORY_BODY, options),
                       "a category choice above the rendered listing, built from the items' own categories")
    return f"Added a category filter module to the {shell.kind} shell ({shell.evidence})."


def _static(ctx: RecipeContext) -> str:
    lists = require_lists(ctx)
    cats = categories(lists)
    if len(cats) < 2:
        raise RecipeError("product items carry fewer than two data-category values; nothing to filter by")
    live = ' aria-live="polite"' if ctx.refined else ""
    if ctx.variant % 2 == 0:
        options = "\n".join(f'<option value="{escape_attr(c)}">{escape_text(c)}</option>' for c in cats)
        control = (
            '<div class="vl-category">\n<label for="vl-category">Category</label>\n'
            f'<select id="vl-category" data-vl-category>\n<option value="">All categories</option>\n{options}\n</select>\n'
            f'<p id="vl-category-status"{live}></p>\n</div>'
        )
    else:
        buttons = "\n".join(
            f'<button type="button" data-vl-category value="{escape_attr(c)}" aria-pressed="false">{escape_text(c)}</button>'
            for c in cats
        )
        control = (
            '<div class="vl-category" role="group" aria-label="Filter by category">\n'
            '<button type="button" data-vl-category value="" aria-pressed="true">All</button>\n'
            f'{buttons}\n<p id="vl-category-status"{live}></p>\n</div>'
        )
    script_path = ctx.asset("variantlab-category.js")
    script = ctx.add_asset(
        "variantlab-category.js",
        FILTER_JS % {"catalog": catalog_js(ctx, script_path, lists)},
        f"new script: filter products of all listing pages by category ({len(cats)} categories)",
    )
    style = ctx.add_asset("variantlab-category.css", FILTER_CSS, "new styles for the category filter")
    edit_listings(ctx, lists, control, script, style, "added a category filter above the product list")
    return f"Added a category filter ({', '.join(cats)}) to {len(lists)} listing page(s)."
