"""Search: a search box above the product list that filters products of every listing page live."""

from __future__ import annotations

from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.catalog import catalog_js, edit_listings, require_lists
from agents.code.recipes.runtime import SEARCH_BODY, add_module, module_js
from agents.code.site import listing_pages

# Distinct markups: 3 placeholders x 2 placements of the box (catalog.edit_listings); 3 and 2 are
# coprime, so variants 0-5 are six different pairs.
VARIANTS = 6
PLACEHOLDERS = ["Search products", "Search by name or category", "Find a product"]

SEARCH_JS = """/* variantlab search: live filtering across all listing pages. */
(function () {
  "use strict";
%(catalog)s
  var input = document.getElementById("vl-search");
  var status = document.getElementById("vl-search-status");
  var latest = 0;

  function update() {
    var query = normalize(input.value);
    var ticket = ++latest;
    if (!query) { show(original); status.textContent = ""; return; }
    var words = query.split(" ");
    loadCatalog().then(function (cards) {
      if (ticket !== latest) return;  // a newer query superseded this one
      var hits = cards.filter(function (card) {
        var text = normalize(card.textContent + " " + (card.getAttribute("data-category") || ""));
        return words.every(function (w) { return text.indexOf(w) !== -1; });
      });
      show(hits);
      status.textContent = hits.length
        ? hits.length + (hits.length === 1 ? " product matches " : " products match ") + "\\u201c" + input.value.trim() + "\\u201d"
        : "No products match \\u201c" + input.value.trim() + "\\u201d";
    });
  }

  input.addEventListener("input", update);
%(escape)s})();
"""

ESCAPE_JS = """  // Refined: Escape clears the search and restores the page.
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { input.value = ""; update(); }
  });
"""

SEARCH_CSS = """/* variantlab search box */
.vl-search { margin: 0 0 1rem; display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.vl-search input { flex: 1 1 16rem; padding: .5rem .75rem; font-size: 1rem; }
.vl-search-status { margin: .25rem 0 0; width: 100%%; }
%(focus)s"""


RUNTIME_WORDING = [
    {"found": "{n} of {total} match \u201c{q}\u201d", "none": "Nothing matches \u201c{q}\u201d",
     "reading": "Searching every page\u2026"},
    {"found": "Showing {n} of {total} for \u201c{q}\u201d", "none": "No results for \u201c{q}\u201d",
     "reading": "Looking through all pages\u2026"},
]


def apply(ctx: RecipeContext) -> str:
    if ctx.design == "minimal":
        raise RecipeError("a search box that narrows a listing needs a script; the markup-only design cannot build one")
    if not ctx.static_site or not listing_pages(ctx.pages):
        return _runtime(ctx)
    return _static(ctx)


def _runtime(ctx: RecipeContext) -> str:
    """The listing is rendered by a template or a script: a module finds it in the rendered page."""
    placement = "top" if (ctx.variant + (ctx.design == "alternative")) % 2 else "inline"
    # "pages": the module also searches the items of the listing's other pages (other_pages.py).
    options = {"placeholder": str(ctx.pick(PLACEHOLDERS)), "label": "Search", "placement": placement,
               "pages": True, **RUNTIME_WORDING[1 if ctx.design == "alternative" else 0]}
    shell = add_module(ctx, "variantlab-search.js", module_js("search", "search", SEARCH_BODY, options),
                       f"a search box {'at the top of' if placement == 'top' else 'above'} the rendered listing "
                       "that hides the items not matching what is typed and shows the matches on its other pages")
    return (f"Added a search module to the {shell.kind} shell ({shell.evidence}); it finds the listing in the "
            f"rendered page and puts the box {'at the top of its section' if placement == 'top' else 'right above it'}; "
            "a paginated listing's other pages are searched too.")


def _static(ctx: RecipeContext) -> str:
    lists = require_lists(ctx)
    placeholder = str(ctx.pick(PLACEHOLDERS))
    if ctx.refined:
        control = (
            '<div class="vl-search" role="search">\n'
            '<label for="vl-search">Search products</label>\n'
            f'<input type="search" id="vl-search" name="q" placeholder="{placeholder}" autocomplete="off">\n'
            '<p id="vl-search-status" class="vl-search-status" aria-live="polite"></p>\n</div>'
        )
    else:
        control = (
            '<div class="vl-search" role="search">\n'
            f'<input type="search" id="vl-search" name="q" placeholder="{placeholder}" '
            f'aria-label="Search products" autocomplete="off">\n'
            '<p id="vl-search-status" class="vl-search-status"></p>\n</div>'
        )
    script_path = ctx.asset("variantlab-search.js")
    script = ctx.add_asset(
        "variantlab-search.js",
        SEARCH_JS % {"catalog": catalog_js(ctx, script_path, lists), "escape": ESCAPE_JS if ctx.refined else ""},
        "new script: live search over the products of all listing pages",
    )
    focus = ".vl-search input:focus { outline: 3px solid #1a73e8; outline-offset: 2px; }\n" if ctx.refined else ""
    style = ctx.add_asset("variantlab-search.css", SEARCH_CSS % {"focus": focus}, "new styles for the search box")
    edit_listings(ctx, lists, control, script, style, "added a search box above the product list")
    return f"Added a live search box to {len(lists)} listing page(s); it searches the products of all of them."
