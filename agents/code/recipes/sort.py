"""Sort: order the products of all listing pages by price or by name."""

from __future__ import annotations

from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.catalog import catalog_js, edit_listings, require_lists
from agents.code.recipes.listing_modules import SORT_BODY
from agents.code.recipes.runtime import add_module, module_js
from agents.code.site import listing_pages

# Distinct markups: the label set and the control's placement both follow the variant's parity.
VARIANTS = 2
LABELS = [
    ("Featured", "Price: low to high", "Price: high to low", "Name: A to Z"),
    ("Recommended", "Lowest price first", "Highest price first", "Alphabetical"),
]

SORT_JS = """/* variantlab sort: orders the products of all listing pages. */
(function () {
  "use strict";
%(catalog)s
  var select = document.getElementById("vl-sort");
  var status = document.getElementById("vl-sort-status");

  function priceOf(card) {
    var tagged = card.hasAttribute("data-price") ? card : card.querySelector("[data-price]");
    if (tagged) return parseFloat(tagged.getAttribute("data-price"));
    var m = card.textContent.replace(/,/g, "").match(/(\\d+(?:\\.\\d+)?)/);
    return m ? parseFloat(m[1]) : Infinity;
  }

  function nameOf(card) {
    var link = card.querySelector("a");
    return normalize(link ? link.textContent : card.textContent);
  }

  var ORDERS = {
    "price-asc": function (a, b) { return priceOf(a) - priceOf(b); },
    "price-desc": function (a, b) { return priceOf(b) - priceOf(a); },
    "name-asc": function (a, b) { return nameOf(a).localeCompare(nameOf(b)); }
  };

  select.addEventListener("change", function () {
    var order = ORDERS[select.value];
    if (!order) { show(original); status.textContent = ""; return; }
    loadCatalog().then(function (cards) {
      show(cards.slice().sort(order));
      status.textContent = "Showing all " + cards.length + " products, " + select.options[select.selectedIndex].text;
    });
  });
})();
"""


def apply(ctx: RecipeContext) -> str:
    if ctx.design == "minimal":
        raise RecipeError("reordering a listing needs a script; the markup-only design cannot")
    if not ctx.static_site or not listing_pages(ctx.pages):
        return _runtime(ctx)
    return _static(ctx)


def _runtime(ctx: RecipeContext) -> str:
    featured, low, high, name = ctx.pick(LABELS)  # type: ignore[misc]
    placement = "top" if (ctx.variant + (ctx.design == "alternative")) % 2 else "inline"
    options = {"label": "Sort by", "placement": placement,
               "choices": [["", featured], ["price-asc", low], ["price-desc", high], ["name-asc", name]]}
    shell = add_module(ctx, "variantlab-sort.js", module_js("sort", "sort", SORT_BODY, options),
                       "a sort choice (price, name) above the rendered listing")
    return f"Added a sort module to the {shell.kind} shell ({shell.evidence})."


def _static(ctx: RecipeContext) -> str:
    lists = require_lists(ctx)
    featured, low, high, name = ctx.pick(LABELS)  # type: ignore[misc]
    live = ' aria-live="polite"' if ctx.refined else ""
    control = (
        '<div class="vl-sort">\n<label for="vl-sort">Sort by</label>\n<select id="vl-sort">\n'
        f'<option value="">{featured}</option>\n<option value="price-asc">{low}</option>\n'
        f'<option value="price-desc">{high}</option>\n<option value="name-asc">{name}</option>\n</select>\n'
        f'<p id="vl-sort-status"{live}></p>\n</div>'
    )
    script_path = ctx.asset("variantlab-sort.js")
    script = ctx.add_asset(
        "variantlab-sort.js",
        SORT_JS % {"catalog": catalog_js(ctx, script_path, lists)},
        "new script: sort the products of all listing pages by price or name",
    )
    edit_listings(ctx, lists, control, script, None, "added a sort control above the product list")
    return f"Added sorting by price and name to {len(lists)} listing page(s)."
