"""Password hint: state the password rule next to the field, before the user gets it wrong."""

from __future__ import annotations

import re

from agents.code.markup import Editor, escape_text
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.forms import (
    describe_password_rule,
    find_form,
    password_rule,
    source_password_rule,
    source_rules_text,
)

# Distinct markups: one per placement of the hint.
VARIANTS = 2
PLACEMENTS = ["after the field", "after the label"]


def apply(ctx: RecipeContext) -> str:
    # The hint is copy: it goes into the source that renders the field (a page, a template or JSX).
    try:
        info = find_form(ctx, ctx.pages if ctx.static_site else ctx.templates)
    except RecipeError:
        if ctx.static_site:
            raise
        return _jsx(ctx)
    password = next((c for c in info.controls if c.attrs.get("type") == "password"), None)
    if password is None:
        raise RecipeError("the form has no password field")
    rule = password_rule(info, password)
    if rule is None:
        raise RecipeError("no password rule found in the form's markup or scripts; cannot explain it")
    text = describe_password_rule(rule)
    hint_id = f"vl-hint-{password.attrs.get('id') or password.attrs.get('name', 'password')}"
    style = ' style="display:block;font-size:.9rem;margin:.25rem 0"'
    hint = f'<small id="{hint_id}" class="vl-hint"{style}>{escape_text(text)}</small>'
    editor = Editor(info.page.source)
    editor.add_attribute(password, "aria-describedby", hint_id)
    if ctx.refined and rule[0]:
        # Lets password managers generate a password that already fits the rule.
        editor.add_attribute(password, "minlength", str(rule[0]))
    where = PLACEMENTS[(ctx.variant + (ctx.design == "alternative")) % len(PLACEMENTS)]
    label = next((lab for lab in info.form.find_all("label") if lab.attrs.get("for") == password.attrs.get("id")), None)
    if where == "after the label" and label is not None and label.end <= password.start:
        editor.insert(label.end, hint)
    else:
        editor.insert(password.end, hint)
    ctx.write(info.page.path, editor.result(), f'explained the password rule next to the field: "{text}"')
    return f'Explained the password rule next to the password field: "{text}"'


def _jsx(ctx: RecipeContext) -> str:
    """The password field is rendered by a component: the hint goes right after it, in JSX."""
    from agents.code.jsx import JSX_SUFFIXES, elements, parses
    from agents.code.shell import source_files

    for path in source_files(ctx.ws):
        if not path.endswith(JSX_SUFFIXES) or re.search(r"(^|/)(tests?|__tests__)/|\.(test|spec)\.", path):
            continue
        source = ctx.read(path)
        field = next((e for e in elements(path, source) if e.tag == "input"
                      and e.attrs.get("type", "").strip("\"'") == "password"), None) if "password" in source else None
        if field is None:
            continue
        rule = source_password_rule(source_rules_text(ctx))
        if rule is None:
            raise RecipeError(f"{path} renders a password field but no password rule was found in the app's code")
        text = describe_password_rule(rule)
        editor = Editor(source)
        if "aria-describedby" not in field.attrs:
            editor.insert(field.attr_end, ' aria-describedby="vl-hint-password"')
        editor.insert(field.end, f'\n<small id="vl-hint-password" className="vl-hint" style={{{{ display: "block" }}}}>'
                                 f"{re.sub(r'[{}<>]', '', text)}</small>")
        if not parses(path, editor.result()):
            raise RecipeError(f"{path}: the hint cannot sit beside the password field there (it would not parse)")
        ctx.write(path, editor.result(), f'explained the password rule next to the field: "{text}"')
        return f'Explained the password rule next to the password field in {path}: "{text}"'
    raise RecipeError("no form with a password field in any page, template or JSX component")
