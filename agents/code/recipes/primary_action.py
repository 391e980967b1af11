"""Primary action: the app's main "create" control (new post, new item, compose) says what it does.

Content apps often hide their first step behind an icon or a symbol ("+", "✎") that a new visitor
does not read as "write a post". The module finds, on the rendered page, links and buttons that lead
to a create/new/compose route but carry no words, and gives them a visible label and a button look;
it also works on controls rendered later or only after log-in (it acts on the page as shown).
"""

from __future__ import annotations

from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.runtime import add_module, module_js

# Distinct markups: the wording of the label.
VARIANTS = 2
WORDING = [("New {noun}", "Create new"), ("Create a new {noun}", "Create something new")]

PRIMARY_BODY = """
  addStyle(".vl-primary-action{display:inline-block;padding:.45rem .9rem;border-radius:.4rem;"
    + "background:#1a56db;color:#fff!important;font-weight:600;font-size:1rem;text-decoration:none;"
    + "line-height:1.2}.vl-primary-action:hover,.vl-primary-action:focus{background:#1e429f}");
  // A route that creates something: /create, /posts/new, /notes/add, /compose, /write ...
  var CREATE = /(^|\\/)(new|create|add|compose|write|publish)(\\/|\\.\\w+$|$)/i;
  var STOP = /^(new|create|add|compose|write|publish|edit|admin|app|u|api|v\\d+)$/i;
  function words(el) {
    return (el.innerText || el.value || "").replace(/[^A-Za-z\\u00C0-\\u024F]+/g, "");
  }
  // What is created: the route's noun (/posts/new -> "post"), else the page's own word for its items.
  function noun(path) {
    var parts = path.split("/").map(function (p) { return p.replace(/\\.\\w+$/, ""); })
      .filter(function (p) { return p && !/^index$/i.test(p) && !STOP.test(p); });
    if (!parts.length) return "";
    var word = parts[parts.length - 1];
    word = word.replace(/[-_]+/g, " ").toLowerCase();
    return word.length > 3 && /s$/.test(word) && !/ss$/.test(word) ? word.slice(0, -1) : word;
  }
  keepInstalled(function () {
    var controls = document.querySelectorAll("a[href], button[formaction], form[action] button");
    Array.prototype.forEach.call(controls, function (el) {
      if (ours(el) || el.hasAttribute("data-vl-labelled") || words(el).length >= 3) return;
      var target = el.getAttribute("href") || el.getAttribute("formaction") || (el.form && el.form.getAttribute("action")) || "";
      var path;
      try { path = new URL(target, location.href).pathname; } catch (e) { return; }
      if (!CREATE.test(path)) return;
      el.setAttribute("data-vl-labelled", "");
      var what = noun(path);
      var label = what ? OPTIONS.wording.replace("{noun}", what) : OPTIONS.bare;
      if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", label);
      el.textContent = label;
      el.classList.add("vl-primary-action");
    });
  });
"""


def apply(ctx: RecipeContext) -> str:
    if ctx.design == "minimal":
        raise RecipeError("labelling a control the app renders needs a script; the markup-only design cannot")
    wording, bare = ctx.pick(WORDING)  # type: ignore[misc]
    options = {"wording": wording, "bare": bare}
    shell = add_module(ctx, "variantlab-primary-action.js",
                       module_js("primary_action", "primary action", PRIMARY_BODY, options),
                       f"a visible, labelled button ('{wording}') for every unlabelled create/new/compose "
                       "control")
    return (f"Labelled the app's create controls ('{wording}') and styled them as buttons, from the {shell.kind} "
            f"shell ({shell.evidence}).")
