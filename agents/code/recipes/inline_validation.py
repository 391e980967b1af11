"""Inline validation: check each field when it loses focus and say which field is wrong and why."""

from __future__ import annotations

import json

from agents.code.markup import Editor
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.forms import (
    FormInfo,
    describe_password_rule,
    find_form,
    label_text,
    password_rule,
    pattern_for,
    source_password_rule,
    source_rules_text,
)
from agents.code.recipes.runtime import VALIDATION_BODY, add_module, module_js
from agents.formats import example_for

# Distinct markups: the message under the field's row, or right after the control.
VARIANTS = 2
VALIDATE_JS = """/* variantlab inline validation: each field is checked on blur, with a reason next to it. */
(function () {
  "use strict";
  var RULES = %(rules)s;
  var form = document.querySelector("form[data-vl-validate]");
  if (!form) return;

  function problem(el) {
    var rule = RULES[el.name] || {};
    var label = rule.label || el.name;
    var value = el.type === "checkbox" ? "" : el.value.trim();
    if (el.required && (el.type === "checkbox" ? !el.checked : value === "")) {
      return el.type === "checkbox" ? "Please tick \\u201c" + label + "\\u201d to continue." : label + " is required.";
    }
    if (!value) return "";
    if (el.type === "email" && !/^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$/.test(value)) return label + " must be an email address like name@example.com.";
    if (rule.minLength && el.value.length < rule.minLength) return label + ": " + rule.hint;
    if (rule.kinds) {
      for (var i = 0; i < rule.kinds.length; i++) {
        if (!new RegExp(rule.kinds[i]).test(el.value)) return label + ": " + rule.hint;
      }
    }
    if (rule.pattern && !new RegExp(rule.pattern, rule.flags || "").test(value)) return label + ": " + rule.hint;
    if (rule.sameAs && form.elements[rule.sameAs] && el.value !== form.elements[rule.sameAs].value) return rule.hint;
    return "";
  }

  function check(el) {
    var message = problem(el);
    var id = "vl-error-" + (el.id || el.name);
    var slot = document.getElementById(id);
    if (!slot) {
      slot = document.createElement("p");
      slot.id = id;
      slot.className = "vl-field-error";
      %(live)s
      %(anchor)s.insertAdjacentElement("afterend", slot);
    }
    slot.textContent = message;
    slot.hidden = !message;
    if (message) {
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", id);
    } else {
      el.removeAttribute("aria-invalid");
    }
    return !message;
  }

  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name || el.type === "submit" || el.type === "hidden") return;
    el.addEventListener("blur", function () { check(el); });
    el.addEventListener("change", function () { if (el.hasAttribute("aria-invalid")) check(el); });
  });
  // On submit too, so every wrong field says why (the site's own handler still runs).
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (el) { if (el.name) check(el); });
  }, true);
})();
"""

CSS = """/* variantlab inline validation */
.vl-field-error { color: #b00020; margin: .25rem 0 .5rem; font-size: .9rem; }
[aria-invalid="true"] { border-color: #b00020; outline: 2px solid #b00020; }
"""

KIND_REGEX = {"a number": "\\d", "an upper-case letter": "[A-Z]", "a lower-case letter": "[a-z]", "a symbol": "[^A-Za-z0-9]"}


def rules(info: FormInfo) -> dict[str, dict]:
    out: dict[str, dict] = {}
    names = {c.attrs.get("name", "") for c in info.controls}
    for control in info.controls:
        name = control.attrs.get("name")
        if not name:
            continue
        rule: dict = {"label": label_text(info, control)}
        if control.attrs.get("type") == "password" and "confirm" not in name:
            found = password_rule(info, control)
            if found:
                rule.update(minLength=found[0], kinds=[KIND_REGEX[k] for k in found[1]],
                            hint=describe_password_rule(found))
        base = name.replace("_confirm", "").replace("-confirm", "").replace("confirm_", "")
        if base != name and base in names:
            rule.update(sameAs=base, hint=f"{rule['label']} does not match {base.replace('_', ' ')}.")
        elif control.attrs.get("type") != "email" and (pattern := pattern_for(info, control)):
            example = example_for(pattern[0])
            hint = f"use the format {example}." if example else "this is not in the expected format."
            rule.update(pattern=pattern[0], flags=pattern[1], hint=hint)
        out[name] = rule
    return out


def apply(ctx: RecipeContext) -> str:
    if ctx.design == "minimal":
        raise RecipeError("an error message next to the field needs a script; the markup-only design cannot "
                          "show one (the browser's own bubbles are not next to the field)")
    if not ctx.static_site or ctx.design == "alternative":
        return _runtime(ctx)
    try:
        info = find_form(ctx)
    except RecipeError:
        return _runtime(ctx)  # the form is rendered by a script: the module finds it in the page
    return _static(ctx, info)


def _runtime(ctx: RecipeContext) -> str:
    """A module that validates every sign-up-like form of the rendered page, eagerly or on submit."""
    pages = ctx.pages if ctx.static_site else ctx.templates
    try:
        info: FormInfo | None = find_form(ctx, pages)
    except RecipeError:
        info = None
    scripts = info.scripts if info else source_rules_text(ctx)
    password = next((c for c in info.controls if c.attrs.get("type") == "password"), None) if info else None
    rule = password_rule(info, password) if info and password else source_password_rule(scripts)
    options = {
        "mode": "submit" if ctx.design == "alternative" else "eager",
        "placement": str(ctx.pick(["field", "row"])),
        "password": {"minLength": rule[0], "kinds": [KIND_REGEX[k] for k in rule[1]],
                     "hint": describe_password_rule(rule)} if rule else {},
    }
    when = "when the form is sent" if options["mode"] == "submit" else "as soon as the user leaves a field"
    shell = add_module(ctx, "variantlab-validation.js",
                       module_js("validation", "inline validation", VALIDATION_BODY, options),
                       f"checks sign-up fields {when} and says next to each wrong field why")
    stated = f"; password rule: {describe_password_rule(rule).rstrip('.')}" if rule else ""
    return f"Added inline validation ({when}) to the {shell.kind} shell ({shell.evidence}){stated}."


def _static(ctx: RecipeContext, info: FormInfo) -> str:
    table = rules(info)
    # The variants differ in where the message sits: under the field's row, or right after the control.
    anchor = str(ctx.pick(['(el.closest("div, p, li") || el)', "el"]))
    live = 'slot.setAttribute("aria-live", "polite");' if ctx.refined else ""
    script = ctx.add_asset("variantlab-validation.js", VALIDATE_JS % {"rules": json.dumps(table, indent=2), "live": live, "anchor": anchor},
                           f"new script: on-blur validation of {len(table)} fields with per-field reasons")
    style = ctx.add_asset("variantlab-validation.css", CSS, "new styles for field error messages")
    editor = Editor(info.page.source)
    editor.add_attribute(info.form, "data-vl-validate", "")
    ctx.link_assets(editor, info.page, script, style)
    ctx.write(info.page.path, editor.result(), "form validated field by field on blur")
    explained = sorted(n for n, r in table.items() if "hint" in r)
    return f"Added on-blur validation to {len(table)} fields; format rules explained for: {', '.join(explained) or 'none'}."
