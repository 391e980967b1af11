"""Sticky cart: keep the cart link and its item count on screen on every page."""

from __future__ import annotations

import json
import re

from agents.code.markup import Editor, Node
from agents.code.recipes.base import RecipeContext, RecipeError

CART_WORDS = re.compile(r"\b(cart|basket|bag)\b", re.IGNORECASE)
STORAGE_KEY = re.compile(r"""localStorage\.getItem\(\s*(?:["']([^"']+)["']|([A-Za-z_$][\w$]*))\s*\)""")
# Distinct markups: one per corner in POSITIONS.
VARIANTS = 2
POSITIONS = ["right: 1rem; bottom: 1rem;", "right: 1rem; top: 1rem;"]

BADGE_JS = """/* variantlab cart count: reads the site's own localStorage cart. */
(function () {
  "use strict";
  var KEY = %(key)s;
  function count() {
    try {
      var data = JSON.parse(localStorage.getItem(KEY) || "[]");
      var items = Array.isArray(data) ? data : Object.keys(data).map(function (k) { return data[k]; });
      return items.reduce(function (n, it) { return n + (it && typeof it.qty === "number" ? it.qty : 1); }, 0);
    } catch (e) { return 0; }
  }
  function render() {
    document.querySelectorAll("[data-vl-cart-count]").forEach(function (el) { el.textContent = String(count()); });
  }
  render();
  window.addEventListener("storage", render);
  document.addEventListener("click", function () { setTimeout(render, 0); });
})();
"""


def _cart_link(root: Node) -> Node | None:
    for a in root.find_all("a"):
        if CART_WORDS.search(a.attrs.get("href", "").replace("-", " ").replace(".", " ")) or CART_WORDS.search(a.text()):
            return a
    return None


def _storage_key(ctx: RecipeContext) -> str | None:
    from agents.code.shell import source_files

    for path in source_files(ctx.ws, ctx.static_root):
        if not path.endswith(".js") or "variantlab-" in path:
            continue
        js = ctx.ws.read_file(path)
        for literal, name in STORAGE_KEY.findall(js):
            if literal:
                return literal
            assigned = re.search(rf"""\b{re.escape(name)}\s*=\s*["']([^"']+)["']""", js)
            if assigned:
                return assigned.group(1)
    return None


def apply(ctx: RecipeContext) -> str:
    pages = [(p, link) for p in ctx.pages if (link := _cart_link(p.root))]
    if not pages:
        raise RecipeError("no cart link found in any HTML page")
    has_count = all(re.search(r"\d", link.text()) for _, link in pages)
    script = None
    if not has_count:
        key = _storage_key(ctx)
        if key is None:
            raise RecipeError("the cart link shows no count and no localStorage cart was found to count")
        script = ctx.add_asset("variantlab-cart.js", BADGE_JS % {"key": json.dumps(key)},
                               f"new script: cart item count from localStorage key {key!r}")
    shadow = "box-shadow: 0 2px 8px rgba(0,0,0,.25);" if ctx.refined else ""
    css = (
        "/* variantlab sticky cart: the cart and its count stay visible while scrolling */\n"
        f"[data-vl-cart] {{ position: fixed; {ctx.pick(POSITIONS)} z-index: 1000; padding: .5rem .9rem;\n"
        f"  background: #fff; color: #111; border: 2px solid currentColor; border-radius: 2rem; {shadow} }}\n"
    )
    style = ctx.add_asset("variantlab-cart.css", css, "new styles: fixed-position cart link with count")
    for page, link in pages:
        editor = Editor(page.source)
        editor.add_attribute(link, "data-vl-cart", "")
        if ctx.refined:
            editor.add_attribute(link, "aria-live", "polite")
        if script:
            editor.insert(link.inner_end, ' (<span data-vl-cart-count>0</span>)')
        ctx.link_assets(editor, page, script, style)
        ctx.write(page.path, editor.result(), "cart link kept on screen" + ("" if has_count else " with item count"))
    return f"Made the cart link{'' if has_count else ' and a live item count'} sticky on {len(pages)} page(s)."
