"""Inline validation: check each field when it loses focus and say which field is wrong and why."""

from __future__ import annotations

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

KIND_REGEX = {"a number": "\\d", "an upper-case letter": "[A-Z]", "a lower-case letter": "[a-z]", "a symbol": "[^A-Za-z0-9]"}


def rules(info: FormInfo) -> dict[str, dict]:
    """Per-field rules the source states beyond the rendered attributes: the label the page gives a
    field, a format its script enforces, a field that must repeat another."""
    out: dict[str, dict] = {}
    names = {c.attrs.get("name", "") for c in info.controls}
    for control in info.controls:
        name = control.attrs.get("name")
        if not name:
            continue
        rule: dict = {"label": label_text(info, control)}
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


def _options(ctx: RecipeContext, info: FormInfo | None, mode: str) -> dict:
    scripts = info.scripts if info else source_rules_text(ctx)
    password = next((c for c in info.controls if c.attrs.get("type") == "password"), None) if info else None
    rule = password_rule(info, password) if info and password else source_password_rule(scripts)
    return {
        "mode": mode,
        "placement": str(ctx.pick(["field", "row"])),
        "password": {"minLength": rule[0], "kinds": [KIND_REGEX[k] for k in rule[1]],
                     "hint": describe_password_rule(rule)} if rule else {},
    }


def _stated(options: dict) -> str:
    hint = options["password"].get("hint")
    return f"; password rule: {hint.rstrip('.')}" if hint else ""


def _runtime(ctx: RecipeContext) -> str:
    """A module that validates every sign-up-like form of the rendered page, eagerly or on submit."""
    pages = ctx.pages if ctx.static_site else ctx.templates
    try:
        info: FormInfo | None = find_form(ctx, pages)
    except RecipeError:
        info = None
    options = _options(ctx, info, "submit" if ctx.design == "alternative" else "eager")
    if info is not None:
        # The designs differ in when they speak, not in what they know: a format the app's script
        # enforces (a phone shape) must be stated by every design, or users still cannot fix it.
        options["rules"] = rules(info)
    when = "when the form is sent" if options["mode"] == "submit" else "as soon as the user leaves a field"
    shell = add_module(ctx, "variantlab-validation.js",
                       module_js("validation", "inline validation", VALIDATION_BODY, options),
                       f"checks sign-up fields {when} and says next to each wrong field why")
    return f"Added inline validation ({when}) to the {shell.kind} shell ({shell.evidence}){_stated(options)}."


def _static(ctx: RecipeContext, info: FormInfo) -> str:
    """The same module, on the one form the recipe read, with the rules its source states per field."""
    table = rules(info)
    options = {**_options(ctx, info, "eager"), "rules": table, "forms": "form[data-vl-validate]"}
    script = ctx.add_asset("variantlab-validation.js",
                           module_js("validation", "inline validation", VALIDATION_BODY, options),
                           f"new script: validation of {len(table)} fields as the user leaves each, with per-field reasons")
    editor = Editor(info.page.source)
    editor.add_attribute(info.form, "data-vl-validate", "")
    ctx.link_assets(editor, info.page, script, None)
    ctx.write(info.page.path, editor.result(), "form validated field by field as the user leaves each field")
    explained = sorted(n for n, r in table.items() if "hint" in r)
    return (f"Added field-by-field validation to {len(table)} fields; format rules explained for: "
            f"{', '.join(explained) or 'none'}{_stated(options)}.")
