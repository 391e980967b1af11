"""The one walk over open shadow roots, for the scripts the code agent adds to an app (recipes/runtime.py)
and the ones its behavioural checks run in a page (behaviour.py).

Open shadow roots (web components) hold content a visitor sees like any other, but querySelectorAll
and children stop at them. Each script names the two functions its own way, so the walk is rendered
into it under those names.
"""

from __future__ import annotations

import textwrap
from string import Template

SHADOW_WALK_JS = Template("""\
// Every element under root (not root itself), in document order, an element's shadow tree before
// its children.
function ${all}(root) {
  var out = [];
  (function walk(node) {
    if (node.shadowRoot) walk(node.shadowRoot);
    for (var el = node.firstElementChild; el; el = el.nextElementSibling) {
      out.push(el);
      walk(el);
    }
  })(root);
  return out;
}
// The first element under el, in that order, that matches selector.
function ${find}(el, selector) {
  var all = ${all}(el);
  for (var i = 0; i < all.length; i++) if (all[i].matches(selector)) return all[i];
  return null;
}
""")


def shadow_walk_js(all_name: str, find_name: str, indent: str = "") -> str:
    """The walk as JavaScript functions named `all_name(root)` and `find_name(el, selector)`."""
    return textwrap.indent(SHADOW_WALK_JS.substitute(all=all_name, find=find_name), indent)
