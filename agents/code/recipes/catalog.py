"""Shared by the listing recipes: mark every listing page and ship a catalog loader in JS.

Listing pages are marked with data-vl-list on the product container, so the browser-side script
can fetch the other listing pages (same origin), lift their cards and show them here. Card links
are made absolute against the page they came from, so cards from any folder still link right.
"""

from __future__ import annotations

import json

from agents.code.markup import Editor
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.site import Page, ProductList, listing_pages, relpath

CATALOG_JS = """
  var SCRIPT_URL = document.currentScript ? document.currentScript.src : location.href;
  var LISTING_PAGES = %(pages)s;
  var list = document.querySelector("[data-vl-list]");
  if (!list) return;
  var original = Array.prototype.slice.call(list.children);
  var catalog = null;

  function absolutize(card, pageUrl) {
    card.querySelectorAll("[href]").forEach(function (el) {
      el.setAttribute("href", new URL(el.getAttribute("href"), pageUrl).href);
    });
    card.querySelectorAll("[src]").forEach(function (el) {
      el.setAttribute("src", new URL(el.getAttribute("src"), pageUrl).href);
    });
    return card;
  }

  function cardKey(card) {
    var link = card.querySelector("a[href]");
    return link ? link.getAttribute("href") : card.textContent.trim();
  }

  // Every product card of every listing page, fetched once and de-duplicated.
  function loadCatalog() {
    if (catalog) return catalog;
    catalog = Promise.all(LISTING_PAGES.map(function (page) {
      var url = new URL(page, SCRIPT_URL).href;
      return fetch(url).then(function (res) { return res.ok ? res.text() : ""; }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var other = doc.querySelector("[data-vl-list]");
        if (!other) return [];
        return Array.prototype.slice.call(other.children).map(function (c) { return absolutize(c, url); });
      }).catch(function () { return []; });
    })).then(function (pages) {
      var seen = {};
      var cards = [];
      pages.forEach(function (page) {
        page.forEach(function (card) {
          var key = cardKey(card);
          if (!seen[key]) { seen[key] = true; cards.push(card); }
        });
      });
      return cards;
    });
    return catalog;
  }

  function show(cards) {
    list.textContent = "";
    cards.forEach(function (card) { list.appendChild(document.importNode(card, true)); });
  }

  function normalize(text) {
    return (text || "").toLowerCase().normalize("NFKD").replace(/[\\u0300-\\u036f]/g, "").replace(/\\s+/g, " ").trim();
  }
"""


def catalog_js(ctx: RecipeContext, script_path: str, lists: list[ProductList]) -> str:
    pages = [relpath(pl.path, script_path) for pl in lists]
    return CATALOG_JS % {"pages": json.dumps(pages)}


def require_lists(ctx: RecipeContext) -> list[ProductList]:
    lists = listing_pages(ctx.pages)
    if not lists:
        raise RecipeError("no product list found in any HTML page")
    return lists


def page_of(ctx: RecipeContext, pl: ProductList) -> Page:
    return next(p for p in ctx.pages if p.path == pl.path)


def edit_listings(
    ctx: RecipeContext,
    lists: list[ProductList],
    control_html: str,
    script: str | None,
    style: str | None,
    description: str,
) -> None:
    """Put the control before (or above) each product list, mark the list, link our assets."""
    for pl in lists:
        page = page_of(ctx, pl)
        editor = Editor(page.source)
        editor.add_attribute(pl.container, "data-vl-list", "")
        anchor = pl.container.start
        # Variant 1 (or the alternative design) puts the control at the top of the list's section
        # instead of right above it.
        if (ctx.variant + (ctx.design == "alternative")) % 2 == 1 and pl.container.parent and pl.container.parent.tag != "#root":
            anchor = pl.container.parent.start_end
        editor.insert(anchor, "\n" + control_html + "\n")
        ctx.link_assets(editor, page, script, style)
        ctx.write(page.path, editor.result(), description)
