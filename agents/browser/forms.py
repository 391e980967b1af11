"""The complete_form task: find the form, fill it with the flow's values, submit, fix what the page says is wrong.

A simulated user knows only the values the flow gives and what the page shows (labels, placeholders,
error messages). Fields the flow has no value for get a plausible made-up value by their label.
"""

from __future__ import annotations

import random
import re
from typing import Any

from agents.browser.actor import Actor
from agents.browser.page_view import PageView, normalise
from agents.browser.personas import Outcome, Persona

SUCCESS_TEXT = re.compile(
    r"welcome|success|thank you|thanks for|account (has been |was )?created|you'?re (all set|in)|"
    r"registration complete|signed up|confirm your email",
    re.IGNORECASE,
)
_FORM_ENTRY = re.compile(r"sign ?up|register|create (an )?account|join|get started|start free", re.IGNORECASE)
_SUBMIT = re.compile(
    r"submit|sign ?up|register|create|continue|next|join|send|finish|done|save|get started", re.IGNORECASE
)
_EXAMPLE = re.compile(
    r"(?:e\.g\.|for example|such as|like|format:?)\s+['\"“]?(.+?)['\"”]?\s*\.?$", re.IGNORECASE
)
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


def _key(field: dict[str, Any]) -> str:
    # Names survive a page reload (server-side validation); the data-vl tags do not.
    return field["name"] or field["label"]


def _describe(field: dict[str, Any]) -> str:
    return normalise(" ".join((field["label"], field["name"], field["placeholder"], field["type"])))


def _given(field: dict[str, Any], values: dict[str, Any]) -> Any:
    described = _describe(field)
    best = None
    for key in sorted(values, key=len, reverse=True):
        words = normalise(key).split()
        if words and all(w in described.split() or w in described for w in words):
            best = key
            break
    return values[best] if best is not None else None


def _value_for(field: dict[str, Any], values: dict[str, Any], fixed: dict[str, str]) -> str:
    if _key(field) in fixed:
        return fixed[_key(field)]
    given = _given(field, values)
    if given is not None:
        return str(given)
    described = _describe(field)
    if "password" in described:
        return str(values.get("password", "password1"))
    for pattern, value in _DEFAULTS:
        if re.search(pattern, described):
            return value
    return "Alex"


async def _fill(actor: Actor, view: PageView, values: dict[str, Any], fixed: dict[str, str]) -> None:
    radios_done: set[str] = set()
    for field in [f for f in view.inputs if f["in_form"] and (_wanted(f, values) or _key(f) in fixed)]:
        kind = field["type"]
        if kind == "checkbox":
            wanted = _given(field, values)
            if field["value"] != "true" and (
                wanted or re.search(r"agree|terms|accept|privacy", _describe(field))
            ):
                await actor.check(field)
        elif kind == "radio":
            if field["name"] not in radios_done:
                radios_done.add(field["name"])
                await actor.check(field)
        elif kind in ("select", "select-one"):
            want = normalise(str(_given(field, values) or ""))
            options = [o for o in field["options"] if o["value"]]
            choice = next(
                (o for o in options if want and want in (normalise(o["text"]), normalise(o["value"]))),
                options[0] if options else None,
            )
            if choice is not None and field["value"] != choice["value"]:
                await actor.select(field, choice["value"])
        else:
            value = _value_for(field, values, fixed)
            if "password" in _describe(field) and re.search(r"confirm|repeat|again", _describe(field)):
                value = fixed.get(
                    "password", _value_for({**field, "label": "password", "name": ""}, values, fixed)
                )
            if field["value"] != value:
                await actor.fill(field, value)


def _errors(view: PageView) -> list[tuple[dict[str, Any] | None, str]]:
    found: list[tuple[dict[str, Any] | None, str]] = [
        (f, f["message"]) for f in view.inputs if f["invalid"] and f["message"]
    ]
    for alert in view.alerts:
        if alert and not SUCCESS_TEXT.search(alert) and all(alert != m for _, m in found):
            words = set(normalise(alert).split())
            field = next((f for f in view.inputs if _label_words(f) and _label_words(f)[0] in words), None)
            found.append((field, alert))
    return found


def _label_words(field: dict[str, Any]) -> list[str]:
    return [w for w in normalise(field["label"]).split() if len(w) >= 4]


def _wanted(field: dict[str, Any], values: dict[str, Any]) -> bool:
    """Users fill what is required (or starred) and what they were asked to; optional extras stay empty."""
    return field["required"] or "*" in field["label"] or _given(field, values) is not None


def _fix(field: dict[str, Any], message: str, current: str, guess: bool) -> str:
    """Change a value the way a user would after reading the error next to it."""
    text, value = message.lower(), current
    example = _EXAMPLE.search(message)
    if example:  # the page shows what it wants: copy its example
        return example.group(1)
    if "email" in text:
        return "alex.morgan@example.com"
    if "password" in _describe(field) or "password" in text:
        rules = {
            r"upper|capital": "A",
            r"lower": "a",
            r"number|digit": "7",
            r"symbol|special|punctuation": "!",
        }
        for pattern, char in rules.items():
            if re.search(pattern, text) and char not in value:
                value += char
        length = re.search(r"(?:at least|minimum(?: of)?|min\.?)\s*(\d+)", text)
        if length:
            value = value.ljust(int(length.group(1)), "x")
        if value == current and guess:  # the rule is not explained: try a typically accepted password once
            value = (current + "A7!").ljust(12, "x")
        return value
    return current or _value_for(field, {}, {})


async def complete_form(
    actor: Actor, persona: Persona, rng: random.Random, values: dict[str, Any], form_hint: str = ""
) -> Outcome:
    view = await actor.start()
    if not any(f["in_form"] for f in view.inputs):
        entry = view.link(_FORM_ENTRY.pattern) or view.button(_FORM_ENTRY.pattern)
        if form_hint and entry is None:
            entry = view.link(re.escape(form_hint)) or view.button(re.escape(form_hint))
        if entry is None:
            return Outcome(False, f"no form and no sign-up link on {view.url}")
        view = await actor.click(entry, "open_form")
    fixed: dict[str, str] = {}
    seen: list[str] = []
    attempts = 1 if persona.name == "impatient" else 4
    for attempt in range(attempts):
        if not any(f["in_form"] for f in view.inputs):
            return Outcome(False, f"no form fields on {view.url}")
        await _fill(actor, view, values, fixed)
        submit = next(
            (
                b
                for b in view.buttons
                if b["in_form"] and not b["disabled"] and (b["type"] == "submit" or _SUBMIT.search(b["text"]))
            ),
            None,
        )
        if submit is None:
            return Outcome(False, f"the form on {view.url} has no submit button", _quoted(seen))
        view = await actor.click(submit, "submit")
        if SUCCESS_TEXT.search(" ".join(view.headings + [view.title] + view.alerts)) and not _errors(view):
            return Outcome(
                True, f"form accepted after {attempt + 1} submit(s); reached {view.url}", _quoted(seen)
            )
        errors = _errors(view)
        if not errors and any(f["in_form"] for f in view.inputs):
            continue  # a multi-step form moved on to its next step
        seen += [m for _, m in errors if m not in seen]
        for field, message in errors:
            targets = [field] if field else [f for f in view.inputs if f["invalid"]]
            if not targets:  # a message that names no field: the usual suspect is the password
                targets = [f for f in view.inputs if f["type"] == "password"][:1]
            for target in targets:
                fixed[_key(target)] = _fix(target, message, target["value"], guess=rng.random() < 0.9)
                if "password" in _describe(target):
                    fixed["password"] = fixed[_key(target)]
    last = f": '{seen[-1]}'" if seen else ""
    return Outcome(
        False,
        f"gave up after {attempts} submit(s) on {view.url}; the form was still rejected{last}",
        _quoted(seen),
    )


def _quoted(messages: list[str]) -> list[str]:
    return [f"form error shown: '{m}'" for m in messages]
