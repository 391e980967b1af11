"""What a form is for, from generic signals a visitor (or a browser's autofill) reads.

Field types and `autocomplete` tokens are the strongest evidence (they are standardised: a browser
fills `new-password` only on sign-up, `cc-number` only at checkout); English words in the heading,
the submit button, the action URL, the field names and labels come next. Scores, not a first match:
a sign-up form also has an email field, a checkout form also has a name. Ties keep the order of
PURPOSES, so the same form always gets the same purpose.
"""

from __future__ import annotations

import re

from agents.schemas import FieldInfo, FormInfo, FormPurpose

_WORDS: dict[FormPurpose, re.Pattern[str]] = {
    FormPurpose.SIGN_UP: re.compile(
        r"sign ?up|register|registration|create (an |your )?account|join|get started|new account|onboard"
    ),
    FormPurpose.LOG_IN: re.compile(r"log ?in|sign ?in|logon|session|forgot"),
    FormPurpose.SEARCH: re.compile(r"search|find|look for|\bquery\b|\bq\b|keyword"),
    FormPurpose.CREATE: re.compile(
        r"\bnew\b|create|compose|publish|write|\bpost\b|\badd\b(?! to (cart|basket|bag|wish))|"
        r"\b(title|body|content|article|story|entry|draft)\b"
    ),
    FormPurpose.CHECKOUT: re.compile(
        r"checkout|check out|place (your )?order|pay\b|payment|billing|shipping|delivery|card number|order"
    ),
    FormPurpose.CONTACT: re.compile(
        r"contact|feedback|get in touch|enquir|inquir|support|message|send us|write to us|subject"
    ),
}
_NEWSLETTER = re.compile(r"newsletter|subscribe|mailing list|updates")
# What the button does breaks the tie of a one-box form: "Add todo" makes one, "Search" looks one up.
_MAKES = re.compile(r"^\s*(\+\s*)?(add|create|new|save)\b(?! to (cart|basket|bag|wish))")
_FILTERS = re.compile(r"filter|search|find|look ?up|jump to|go to")
_LOOKS_UP = re.compile(r"^\s*(search|find|go)\b")
PURPOSES = tuple(_WORDS)  # tie order: a sign-up form beats a log-in form that also says "account"


def _text(*parts: str) -> str:
    joined = " ".join(p for p in parts if p)
    # firstName, first_name, /auth/register -> first name, auth register
    return re.sub(r"(?<=[a-z])(?=[A-Z])|[_\-/.?=&]+", " ", joined).lower()


def classify_form(form: FormInfo) -> FormPurpose:
    scores = score_form(form)
    best = max(PURPOSES, key=lambda p: scores[p])  # max keeps the first of equal scores
    return best if scores[best] > 0 else FormPurpose.OTHER


def score_form(form: FormInfo) -> dict[FormPurpose, float]:
    fields = form.fields
    types = [f.type.lower() for f in fields]
    tokens = {t for f in fields for t in f.autocomplete.lower().split()}
    scores = dict.fromkeys(PURPOSES, 0.0)
    passwords = types.count("password")

    # Standardised signals.
    if "new-password" in tokens or passwords >= 2:
        scores[FormPurpose.SIGN_UP] += 4
    if "current-password" in tokens or (passwords == 1 and len(_entries(fields)) <= 3):
        scores[FormPurpose.LOG_IN] += 3
    if passwords == 0:
        scores[FormPurpose.SIGN_UP] -= 2
        scores[FormPurpose.LOG_IN] -= 4
    if "search" in types:
        scores[FormPurpose.SEARCH] += 4
    if any(t.startswith("cc-") for t in tokens):
        scores[FormPurpose.CHECKOUT] += 5
    if tokens & {"shipping", "billing", "address-line1", "street-address", "postal-code"}:
        scores[FormPurpose.CHECKOUT] += 2
    textareas = types.count("textarea")
    if textareas:
        scores[FormPurpose.CREATE] += 1.5
        scores[FormPurpose.CONTACT] += 1
        scores[FormPurpose.SEARCH] -= 3
    if "email" in types or "email" in tokens:
        scores[FormPurpose.CONTACT] += 0.5 if textareas else 0
        scores[FormPurpose.SIGN_UP] += 0.5
    if passwords:
        for purpose in (FormPurpose.SEARCH, FormPurpose.CREATE, FormPurpose.CONTACT, FormPurpose.CHECKOUT):
            scores[purpose] -= 3
    submit = form.submit_text.lower()
    if _MAKES.search(submit) or (form.formless and submit.strip() == "+"):  # a bare "+" beside an add box
        scores[FormPurpose.CREATE] += 1
    elif form.formless and not form.submit_text and len(_entries(fields)) == 1 and types[0] != "search" \
            and not _FILTERS.search(_text(*(f"{f.name} {f.label} {f.placeholder}" for f in fields))):
        scores[FormPurpose.CREATE] += 1  # a lone box outside any form, with no button: Enter enters it
    elif len(_entries(fields)) == 1 and types and types[0] in ("text", "search"):
        scores[FormPurpose.SEARCH] += 1  # one box and a button: what search looks like
    if _LOOKS_UP.search(submit) and ("search" in types or form.role == "search"):
        scores[FormPurpose.SEARCH] += 1
    if form.role == "search":
        scores[FormPurpose.SEARCH] += 4  # a search landmark is as plain as type=search

    # Words: what the page says around the form weighs more than what the fields are called.
    said = _text(form.heading, form.submit_text)
    where = _text(form.action.split("://", 1)[-1].split("/", 1)[-1] if "://" in form.action else form.action)
    named = _text(*(f"{f.name} {f.label} {f.placeholder}" for f in fields))
    for purpose, words in _WORDS.items():
        scores[purpose] += 2.5 * bool(words.search(said)) + 2 * bool(words.search(where))
        scores[purpose] += 1 * bool(words.search(named))
    if _NEWSLETTER.search(said) and not passwords:  # "Join our newsletter" makes no account
        scores[FormPurpose.SIGN_UP] -= 3
    return scores


def _entries(fields: list[FieldInfo]) -> list[FieldInfo]:
    """Fields a visitor types or picks in (a "remember me" box is not one)."""
    return [f for f in fields if f.type.lower() not in ("checkbox", "radio")]
