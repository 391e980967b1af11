"""The complete_form task: find the form, fill it with the flow's values, submit, fix what the page says is wrong.

A simulated user knows only the values the flow gives and what the page shows: labels, placeholders,
hint text next to a field, errors next to a field, and the field's own attributes (field_rules). A
rule the page never states stays unknown: after a bare "Invalid input" the user tries one blind guess
(a stronger password, the usual suspect) and then gives up, as real users abandon such forms. The
form counts as accepted only when the submit visibly did something (see _accepted): a page that
greets before anything is sent, and still greets after a submit that failed silently, accepts nothing.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from agents.browser.actor import Actor
from agents.browser.field_rules import adapt, stated_rules, wants_match
from agents.browser.form_purpose import classify_form
from agents.browser.page_view import Button, Field, PageView, normalise
from agents.browser.personas import Outcome, Persona
from agents.schemas import FieldInfo, FormInfo

SUCCESS_TEXT = re.compile(
    r"welcome|success|thank you|thanks for|account (has been |was )?created|you'?re (all set|in)|"
    r"registration complete|signed up|confirm your email",
    re.IGNORECASE,
)
# A message (not a title or heading, where "Recently added" is only a label) saying an action was done:
# what a confirmation toast says ("✓ Added todo", "Saved"). Not when it says the action failed.
DONE_TEXT = re.compile(r"\u2713|\b(added|saved|created|posted|published|submitted|updated|sent)\b", re.IGNORECASE)
FAILED_TEXT = re.compile(r"\b(not|n't|could ?not|cannot|can't|unable|failed|error|invalid)\b", re.IGNORECASE)


def _says_done(message: str) -> bool:
    return bool(SUCCESS_TEXT.search(message) or (DONE_TEXT.search(message) and not FAILED_TEXT.search(message)))


_FORM_ENTRY = re.compile(r"sign ?up|register|create (an )?account|join|get started|start free", re.IGNORECASE)
# How a visitor gets to a form of each purpose from a page without it: the link or button that says so.
_ENTRIES = {
    "sign_up": _FORM_ENTRY,
    "log_in": re.compile(r"log ?in|sign ?in", re.IGNORECASE),
    "create": re.compile(
        r"^\W*(new|write|compose|publish|create(?! (an |your )?account))\b|"
        r"\b(new|add an?|write an?) (post|entry|article|note|story|recipe|review)",
        re.IGNORECASE,
    ),
    "checkout": re.compile(r"check ?out|proceed to (payment|order)|place (your )?order", re.IGNORECASE),
    "contact": re.compile(r"contact|feedback|support|get in touch", re.IGNORECASE),
}
_SIGNED_IN = re.compile(r"log ?out|sign ?out", re.IGNORECASE)
_SUBMIT = re.compile(
    r"submit|sign ?up|register|create|continue|next|join|send|finish|done|save|get started", re.IGNORECASE
)
_CONFIRM = re.compile(r"(?:^|[_\- ])(?:confirm|repeat|again|retype|verify)(?:$|[_\- ])", re.IGNORECASE)
_DEFAULTS: list[tuple[str, str]] = [
    (r"e ?mail", "alex.morgan@example.com"),
    (r"phone|mobile|tel", "5550100123"),
    (r"zip|postal|postcode", "94107"),
    (r"birth|dob|date", "1990-04-12"),
    (r"first", "Alex"),
    (r"last|surname|family", "Morgan"),
    (r"user ?name|handle|login", "alexmorgan"),
    (r"full name|your name|^name", "Alex Morgan"),
    (r"city|town", "Springfield"),
    (r"address|street", "12 Main Street"),
    (r"company|organi", "Acme"),
    (r"url|website", "https://example.com"),
    (r"age|number|count|size", "3"),
]


def _key(field: Field) -> str:
    # Names survive a page reload (server-side validation); the data-vl tags do not.
    return field.name or field.label


def _describe(field: Field) -> str:
    return normalise(f"{field.label} {field.name} {field.placeholder} {field.type}")


def _given(field: Field, values: dict[str, Any]) -> Any:
    described = _describe(field)
    for key in sorted(values, key=len, reverse=True):
        words = normalise(key).split()
        if words and all(w in described.split() or w in described for w in words):
            return values[key]
    return None


def _counterpart(field: Field, fields: list[Field]) -> Field | None:
    """The field a "confirm ..." field repeats (confirm email -> email), None for an ordinary field."""
    if not _CONFIRM.search(f"{field.name} {field.label}"):
        return None
    base = _CONFIRM.sub(" ", field.name).strip("_- ")
    others = [f for f in fields if f is not field and not _CONFIRM.search(f"{f.name} {f.label}")]
    return next((f for f in others if f.name == base), None) or next(
        (f for f in others if f.type == field.type), None
    )


def _natural(field: Field, values: dict[str, Any]) -> str:
    given = _given(field, values)
    if given is not None:
        return str(given)
    described = _describe(field)
    if "password" in described:
        return str(values.get("password", "password1"))
    return next((value for pattern, value in _DEFAULTS if re.search(pattern, described)), "Alex")


# What people type into whether or not it is marked required.
TEXT_KINDS = ("text", "textarea", "email", "number", "tel", "url", "date", "datetime-local", "time", "password")


def _wanted(field: Field, values: dict[str, Any], marks_required: bool = True) -> bool:
    """Users fill what is required (or starred) and what they were asked to; optional extras stay empty.
    A form that marks nothing required gets every text field filled: nothing tells the user which
    fields matter (and an empty submit of it is no test of the form)."""
    if field.required or "*" in field.label or _given(field, values) is not None:
        return True
    return not marks_required and field.type in TEXT_KINDS


async def _fill(actor: Actor, view: PageView, values: dict[str, Any], typed: dict[str, str]) -> None:
    """Fill the form; `typed` remembers each text value chosen (and adapted) so later rounds keep them."""
    fields = [f for f in view.inputs if f.in_form]
    marks_required = any(f.required or "*" in f.label for f in fields)
    radios_done: set[str] = set()
    for field in [f for f in fields if _wanted(f, values, marks_required) or _key(f) in typed]:
        kind = field.type
        if kind == "checkbox":
            if field.value != "true" and (
                _given(field, values) or re.search(r"agree|terms|accept|privacy", _describe(field))
            ):
                await actor.check(field)
        elif kind == "radio":
            if field.name not in radios_done:
                radios_done.add(field.name)
                await actor.check(field)
        elif kind in ("select", "select-one"):
            want = normalise(str(_given(field, values) or ""))
            options = [o for o in field.options if o.value]
            choice = next(
                (o for o in options if want and want in (normalise(o.text), normalise(o.value))),
                options[0] if options else None,
            )
            if choice is not None and field.value != choice.value:
                await actor.select(field, choice.value)
        else:
            source = _counterpart(field, fields)
            if source is not None and _key(source) in typed:
                value = typed[_key(source)]  # users retype what they just typed above
            elif _key(field) in typed:
                value = typed[_key(field)]
            else:  # first time: the user's own value, shaped by whatever the page states next to it
                value = adapt(field, _natural(field, values), field.hint)
            typed[_key(field)] = value
            if field.value != value:
                await actor.fill(field, value)


def _errors(view: PageView) -> list[tuple[Field | None, str]]:
    found: list[tuple[Field | None, str]] = [
        (f, f.message) for f in view.inputs if f.invalid and f.message
    ]
    for alert in view.alerts:
        if alert and not _says_done(alert) and all(alert != m for _, m in found):
            words = set(normalise(alert).split())
            field = next((f for f in view.inputs if _label_words(f) and _label_words(f)[0] in words), None)
            found.append((field, alert))
    return found


def _label_words(field: Field) -> list[str]:
    return [w for w in normalise(field.label).split() if len(w) >= 4]


def _fix(view: PageView, errors: list[tuple[Field | None, str]], typed: dict[str, str]) -> bool:
    """Change the values the page's field-specific errors point at; False when nothing could be changed."""
    changed = False
    fields = [f for f in view.inputs if f.in_form]
    for field, message in errors:
        if field is None or field.type in ("checkbox", "radio", "select", "select-one"):
            continue
        current = typed.get(_key(field), field.value)
        source = _counterpart(field, fields)
        if wants_match(message) and source is not None:
            new = typed.get(_key(source), source.value)
        else:
            new = adapt(field, current or _natural(field, {}), f"{message} {field.hint}")
        if new != current:
            typed[_key(field)], changed = new, True
            for other in fields:  # a confirm field follows the value it repeats
                if _counterpart(other, fields) is field:
                    typed[_key(other)] = new
    return changed


def _blind_guess(view: PageView, typed: dict[str, str]) -> bool:
    """No hint at all: strengthen the password the way people do (a capital, a digit, a symbol, longer)."""
    passwords = [f for f in view.inputs if f.in_form and f.type == "password"]
    if not passwords:
        return False
    guess = (typed.get(_key(passwords[0]), "") + "A7!").ljust(12, "x")
    for field in passwords:
        typed[_key(field)] = guess
    return True


# Which form each tagged element belongs to (its index in document.forms, -1 for none).
_FORM_OF_JS = """
() => {
  const forms = Array.from(document.forms);
  return Object.fromEntries(Array.from(document.querySelectorAll('[data-vl]')).map(e => {
    const form = e.form || e.closest('form') || (e.control && e.control.form);
    return [e.dataset.vl, form ? forms.indexOf(form) : -1];
  }));
}
"""


def _grouped(view: PageView, purpose: str, group: str = "") -> PageView | None:
    """The page as a form-less input group makes it: the group for this purpose (classified like a
    form, from its fields and its button) is what the user fills and submits; None when there is none.
    `group`: that group only (the one chosen when the step began, known by its container's tag)."""
    for fields, button in view.groups():
        if group and fields[0].group != group:
            continue
        info = FormInfo(page_url=view.url, formless=True, submit_text=button.text if button else "", fields=[
            FieldInfo(name=f.name, type=f.type, label=f.label, placeholder=f.placeholder) for f in fields])
        if _purpose(classify_form(info).value) != purpose:
            continue
        members = {f.vl for f in fields}
        # A field with neither name nor id is known by what it says (the emptied check needs a name).
        # What the box is for is what the user came to do: it is filled whatever the step's values say.
        inputs = [replace(f, in_form=True, required=True, name=f.name or f.label or f.placeholder or "entry")
                  if f.vl in members else replace(f, in_form=False) for f in view.inputs]
        buttons = [replace(b, in_form=button is not None and b.vl == button.vl, type="submit")
                   if button is not None and b.vl == button.vl else replace(b, in_form=False) for b in view.buttons]
        return view.model_copy(update={"inputs": inputs, "buttons": buttons, "forms": 1})
    return None


def _fresh_group(view: PageView, purpose: str) -> str:
    """The form-less group for this purpose whose boxes are empty when the step begins (an add box;
    a list's rows edited in place hold their titles), as its container's tag; "" when there is none."""
    for fields, _ in view.groups():
        if not any(f.value for f in fields if f.type in ENTRY_KINDS) and _grouped(view, purpose, fields[0].group):
            return fields[0].group
    return ""


async def _scope(actor: Actor, view: PageView, purpose: str, formless: str = "") -> PageView:
    """On a page with several forms (a header search beside a log-in), the user works in the one the
    step is about: the fields and buttons of the other forms are left out of what they act on. In a
    form-less group (`formless`, its container's tag), the group is the form (gone from the page: no form)."""
    if formless:
        grouped = _grouped(view, purpose, formless)
        return grouped if grouped is not None else view.model_copy(update={
            "inputs": [replace(f, in_form=False) for f in view.inputs],
            "buttons": [replace(b, in_form=False) for b in view.buttons]})
    if view.forms < 2:
        return view
    where: dict[str, int] = await actor.page.evaluate(_FORM_OF_JS)
    by_form: dict[int, list[Field]] = {}
    for field in view.inputs:
        if field.in_form:
            by_form.setdefault(where.get(field.vl, -1), []).append(field)
    if len(by_form) < 2:
        return view

    def fit(index: int) -> tuple[bool, bool, int]:
        fields = by_form[index]
        types = {f.type for f in fields}
        lone_search = len(fields) == 1 and (fields[0].type == "search" or view.search_input() is fields[0])
        marked = "password" in types if purpose in ("sign_up", "log_in") else "textarea" in types
        return not lone_search, marked, -len(fields) if purpose == "log_in" else len(fields)

    target = max(sorted(by_form), key=fit)
    return view.model_copy(update={
        "inputs": [f for f in view.inputs if not f.in_form or where.get(f.vl) == target],
        "buttons": [b for b in view.buttons if not b.in_form or where.get(b.vl) == target],
    })


def _purpose(form_hint: str) -> str:
    """The hint as a form purpose ("signup", "sign-up form" and "sign_up" are one purpose)."""
    words = normalise(form_hint).replace(" ", "")
    return next((p for p in _ENTRIES if p.replace("_", "") in words), words)


def _offers(view: PageView, purpose: str) -> bool:
    """Whether the page shows the form a step is after (a lone search box is never it)."""
    fields = [f for f in view.inputs if f.in_form]
    if len(fields) == 1 and (fields[0].type == "search" or view.search_input() is fields[0]):
        return False
    if purpose == "log_in":
        return any(f.type == "password" for f in fields)
    if purpose == "create":
        return any(f.type == "textarea" for f in fields) or (
            bool(fields) and not any(f.type == "password" for f in fields))
    return bool(fields)


async def _reach_form(actor: Actor, view: PageView, purpose: str, form_hint: str) -> PageView | None:
    """The page with the form: this one, or where the links that name it lead (two clicks at most)."""
    pattern = _ENTRIES.get(purpose, _FORM_ENTRY)
    for _ in range(2):
        if _offers(view, purpose):
            return view
        entry = view.link(pattern.pattern) or view.button(pattern.pattern)
        if form_hint and entry is None:
            entry = view.link(re.escape(form_hint)) or view.button(re.escape(form_hint))
        if entry is None:
            return None
        view = await actor.click(entry, "open_form")
    return view if _offers(view, purpose) else None


async def complete_form(
    actor: Actor,
    persona: Persona,
    values: dict[str, Any],
    form_hint: str = "",
    *,
    fresh: bool = True,
    typed_out: dict[str, str] | None = None,
) -> Outcome:
    """Fill and submit the form `form_hint` names; `fresh` starts at the site's first page (a journey's
    later steps go on from where the last one left the user); `typed_out` receives what was typed."""
    view = await actor.start() if fresh else await actor.view()
    purpose = _purpose(form_hint)
    # No form for the step on the page, but a form-less group for it (a single-page app's "add" box
    # and its button outside any <form>): the group is the form. A <form> is always preferred.
    formless = "" if _offers(view, purpose) else _fresh_group(view, purpose)
    opener = _opener(view) if purpose == "create" and not formless and not _offers(view, purpose) else None
    if opener is not None:
        # A button that adds an entry: it may open a form (then it is filled as any form), or an empty
        # entry to type into where the list is.
        opened = await actor.click(opener, "open_form")
        if not _offers(opened, purpose):
            return await _name_new_entry(actor, view, opened, opener, values, typed_out)
        found: PageView | None = opened
    else:
        found = view if formless else await _reach_form(actor, view, purpose, form_hint)
    if found is None:
        return _no_form(actor, form_hint)
    view = await _scope(actor, found, purpose, formless)
    typed: dict[str, str] = {} if typed_out is None else typed_out
    seen: list[str] = []
    guessed = False
    silent = 0  # submits in a row that changed nothing on the page
    reworded = False
    attempts = 1 if persona.name == "impatient" else 4
    for attempt in range(attempts):
        if not any(f.in_form for f in view.inputs):
            return Outcome(False, f"no form fields on {view.url}")
        view = await _fill_and_look(actor, view, values, typed, purpose, formless)
        submit: Button | Field | None = _submit_button(view)
        if submit is None and formless:  # a box with no button beside it: Enter submits it
            submit = next((f for f in view.inputs if f.in_form), None)
        if submit is None:
            return Outcome(False, f"the form on {view.url} has no submit button", _quoted(seen))
        before = view  # what the user saw as they clicked: the submit's effect is judged against it
        view, errors = await _submit(actor, submit, before, purpose, typed, formless)
        if (evidence := _accepted(before, view, purpose, typed)) is not None:
            accepted = f"form accepted after {attempt + 1} submit(s); reached {view.url} ({evidence})"
            return Outcome(True, accepted, _quoted(seen))
        if not errors and not _fields(view):
            unconfirmed = f"submitted the form but {view.url} confirms nothing: no success message, no error"
            return Outcome(False, unconfirmed, _quoted(seen))
        if not errors and _moved_on(before, view):
            silent = 0
            continue  # a multi-step form moved on to its next step
        if not errors:  # no confirmation, no error, the same form: the click seems lost
            silent += 1
            # Text that changed may be a message the panel cannot place: the reason says so.
            reworded = view.text != before.text
            if silent < 2:
                continue  # users click once more before deciding the button does nothing
            break
        silent = 0
        seen += [m for _, m in errors if m not in seen]
        helpful = [(f, m) for f, m in errors if f is not None or stated_rules(m)]
        if _fix(view, helpful, typed):
            continue
        if guessed or not _blind_guess(view, typed):
            break  # nothing the page says tells the user what to change: they leave
        guessed = True
    return _gave_up(actor, view, seen, silent, reworded)


async def _fill_and_look(
    actor: Actor, view: PageView, values: dict[str, Any], typed: dict[str, str], purpose: str, formless: str = ""
) -> PageView:
    """Fill the form and look at it again: errors shown next to a field as it is left (inline
    validation) are read, and fixed, before submitting."""
    await _fill(actor, view, values, typed)
    view = await _scope(actor, await actor.view(), purpose, formless)
    if _fix(view, [(f, m) for f, m in _errors(view) if f is not None and f.flagged], typed):
        await _fill(actor, view, values, typed)
    return view


def _opener(view: PageView) -> Button | None:
    return next((b for b in view.buttons if b.adds and not b.in_form and not b.disabled), None)


ENTRY_KINDS = ("text", "textarea")


async def _name_new_entry(actor: Actor, before: PageView, opened: PageView, opener: Button,
                          values: dict[str, Any], typed_out: dict[str, str] | None) -> Outcome:
    """Type into the empty entry the add button made and press Enter. It worked when the text shows on
    the page (as text, or in another box bound to the same entry), or is still there after a reload;
    the box itself holding what was typed proves nothing."""
    pressed = opener.caption or "+"
    text = next((v for v in values.values() if isinstance(v, str) and v.strip()), "") or "My first entry"
    known = {f.vl for f in before.inputs}
    empty = sorted((f for f in opened.inputs if f.type in ENTRY_KINDS and not f.value and not f.in_form),
                   key=lambda f: (f.vl in known, ENTRY_KINDS.index(f.type)))  # new boxes first, lines first
    if not empty:
        return Outcome(False, f"pressed {pressed!r} on {before.url} but no empty box to type the new entry in appeared")
    box = empty[0]
    await actor.fill(box, text)
    if typed_out is not None:
        typed_out[box.name or "entry"] = text
    after = await actor.press_enter(box) if box.type == "text" else await actor.view(wait_ms=300)
    if text in after.text or any(f.value == text for f in after.inputs if f.vl != box.vl):
        return Outcome(True, f"pressed {pressed!r}, typed {text!r} into the new entry: the new entry is shown")
    reloaded = await actor.goto(after.url, "reload")
    if text in reloaded.text or any(f.value == text for f in reloaded.inputs):
        return Outcome(True, f"pressed {pressed!r}, typed {text!r} into the new entry: it is still there after reloading")
    return Outcome(False, f"pressed {pressed!r} and typed {text!r} into the new entry on {before.url}, but it shows "
                          "nowhere else and is gone after reloading the page")


def _no_form(actor: Actor, form_hint: str) -> Outcome:
    what = form_hint.replace("_", "-") if "form" in form_hint else f"{form_hint.replace('_', '-')} form".strip()
    return Outcome(False, f"no {what} and no link to one on {actor.page.url}")


def _submit_button(view: PageView) -> Button | None:
    return next(
        (b for b in view.buttons if b.in_form and not b.disabled and (b.type == "submit" or _SUBMIT.search(b.text))),
        None,
    )


async def _submit(
    actor: Actor, submit: Button | Field, before: PageView, purpose: str, typed: dict[str, str], formless: str = ""
) -> tuple[PageView, list[tuple[Field | None, str]]]:
    """Click submit (or press Enter in a button-less box); the page it led to and the errors on it
    (after a second look for a slow handler)."""
    done = await (actor.press_enter(submit) if isinstance(submit, Field) else actor.click(submit, "submit"))
    view = await _scope(actor, done, purpose, formless)
    errors = _errors(view)
    if not errors and not _moved_on(before, view) and _accepted(before, view, purpose, typed) is None:
        view = await _scope(actor, await actor.view(wait_ms=700), purpose, formless)  # a slow handler: one more look
        errors = _errors(view)
    return view, errors


def _gave_up(actor: Actor, view: PageView, seen: list[str], silent: int, reworded: bool) -> Outcome:
    """The user left the form: after submits that did nothing visible, or rejections they could not fix."""
    submits = sum(1 for a in actor.actions if a["type"] in ("submit", "press"))
    if silent:
        what = (
            "the page changed but showed no confirmation and no error the user could act on"
            if reworded
            else "nothing happened: no confirmation, no error, the same form"
        )
        page = view.url.split("#")[0].split("?")[0]  # one issue line per page, whatever was typed
        return Outcome(
            False,
            f"submitted the form {submits} time(s) on {view.url} and {what}",
            [*_quoted(seen), f"submitting the form on {page} showed no confirmation and no error"],
        )
    last = f": '{seen[-1]}'" if seen else ""
    return Outcome(
        False,
        f"gave up after {submits} submit(s) on {view.url}; the form was still rejected{last}",
        _quoted(seen),
    )


def _fields(view: PageView) -> list[tuple[str, str, str]]:
    """The form's fields as a user tells them apart (a changed value is not a new field)."""
    return [(f.name, f.label, f.type) for f in view.inputs if f.in_form]


def _moved_on(before: PageView, after: PageView) -> bool:
    """The submit brought other fields: a multi-step form's next step, or another page's form.

    The same fields again are the same form, wherever it is: a GET submit reloads it with a query
    string, and / and /index.html are one page.
    """
    return _fields(after) != _fields(before)


def _confirmations(view: PageView) -> set[tuple[str, str]]:
    """The success wording a page shows, and where: its title, a heading or a message."""
    shown = [("title", view.title), *(("heading", h) for h in view.headings)]
    return ({(where, text) for where, text in shown if SUCCESS_TEXT.search(text)}
            | {("message", a) for a in view.alerts if _says_done(a)})


def _accepted(
    before: PageView, after: PageView, purpose: str = "", typed: dict[str, str] | None = None
) -> str | None:
    """What shows that the submit went through, or None.

    Success wording alone proves nothing: a page titled "Welcome! Create your account" says it before
    anything is sent, and still says it when the submit handler throws. The wording counts only with
    evidence that the submit did something: it is new since the click, the browser is on another
    page (not the same form again), or the form is gone. Without wording, what members see counts: a
    log-out link that was not there (signed in), a log-in page after signing up, the new entry shown.
    """
    errors = _errors(after)
    if after.url.split("#")[0] != before.url.split("#")[0] or _emptied(before, after):
        # Another page's empty required fields are not errors: a browser flags them only on a submit.
        # Nor are those of the same page loaded afresh (a create form that redirects back to its list):
        # a field the user had filled that is empty now was reset, not refused.
        errors = [(f, m) for f, m in errors if f is None or f.flagged or f.value not in ("", "false")]
    if errors:
        return None
    if evidence := _member_evidence(before, after, purpose, typed or {}):
        return evidence
    confirmed = _confirmations(after)
    if not confirmed:
        return None
    if new := confirmed - _confirmations(before):
        return f"confirmation shown: '{min(new)[1][:80]}'"
    if after.url.split("#")[0] != before.url.split("#")[0] and _moved_on(before, after):
        return "moved to another page"
    if _fields(before) and not _fields(after):
        return "the form is gone"
    return None


def _member_evidence(before: PageView, after: PageView, purpose: str, typed: dict[str, str]) -> str | None:
    other_page = after.url.split("#")[0] != before.url.split("#")[0]
    if purpose in ("sign_up", "log_in") and after.link(_SIGNED_IN.pattern) and not before.link(_SIGNED_IN.pattern):
        return "signed in: a log-out link appeared"
    said = " ".join([after.title, *after.headings])
    if purpose == "sign_up" and other_page and _ENTRIES["log_in"].search(said) and _offers(after, "log_in"):
        return "taken to log in with the new account"
    written = [v for v in typed.values() if 3 <= len(v) <= 80]
    if purpose != "create" or not written:
        return None
    if other_page and not _offers(after, "create") and any(normalise(v) in normalise(after.text) for v in written):
        return "the new entry is shown"
    # The same page with one more of what was typed in its text (a box's value is not its text): a
    # to-do app's "Add" that posts, redirects back and lists the new entry among earlier ones, or a
    # single-page app that lists it at once, whether or not it clears its form.
    if not other_page and any(_count(after.text, v) > _count(before.text, v) for v in written):
        return "the new entry is shown"
    return None


def _count(text: str, value: str) -> int:
    """How often `value` is listed in `text`, as whole words (entries side by side count each)."""
    return len(re.findall(rf"(?<!\S){re.escape(normalise(value))}(?!\S)", normalise(text))) if normalise(value) else 0


def _emptied(before: PageView, after: PageView) -> bool:
    """The form came back empty: a field the user had filled is empty again and the page does not
    mark it (a browser that refuses a submit keeps what was typed; a page loaded afresh does not)."""
    filled = {f.name for f in before.inputs if f.in_form and f.name and f.type not in ("checkbox", "radio", "hidden")
              and f.value}
    now = {f.name: f for f in after.inputs if f.in_form and f.name}
    return any(name in now and not now[name].value and not now[name].flagged for name in filled)


def _quoted(messages: list[str]) -> list[str]:
    return [f"form error shown: '{m}'" for m in messages]
