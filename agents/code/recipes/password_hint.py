"""Password hint: state the password rule next to the field, before the user gets it wrong."""

from __future__ import annotations

from agents.code.markup import Editor, escape_text
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.forms import describe_password_rule, find_form, password_rule

# Distinct markups: one per placement of the hint.
VARIANTS = 2
PLACEMENTS = ["after the field", "after the label"]


def apply(ctx: RecipeContext) -> str:
    # The hint is copy: it goes into the source that renders the field (a page or a template).
    info = find_form(ctx, ctx.pages if ctx.static_site else ctx.templates)
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
