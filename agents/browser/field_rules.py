"""How a user adapts a value to a rule the page states: hint text, an error next to the field, attributes.

Only what the page shows counts (text near the field, aria-describedby text, field-specific errors,
`pattern` / `minlength` / `title` / placeholder). Common phrasings are parsed generically; a rule the
page never states is never known, so a value that breaks a hidden rule stays broken.
"""

from __future__ import annotations

import re

from agents.browser.page_view import Field
from agents.formats import example_for, matches

_MIN_LENGTH = re.compile(
    r"(?:at least|minimum(?: of)?|min\.?|no fewer than)\s*(\d+)\s*(?:characters|chars|letters)"
    r"|(\d+)\s*(?:characters|chars)\s*(?:or more|minimum|min\b|long)"
    r"|(\d+)\+\s*(?:characters|chars)",
    re.IGNORECASE,
)
_QUANTITY = r"(?:a|an|one|1|at least one|some)\s+"
_KINDS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(rf"{_QUANTITY}(?:number|digit|numeral)|\bdigits?\b|\bnumbers\b", re.IGNORECASE), r"\d", "7"),
    (
        re.compile(
            rf"{_QUANTITY}(?:symbol|special|punctuation)|special characters?|symbols?\b", re.IGNORECASE
        ),
        r"[^A-Za-z0-9]",
        "!",
    ),
    (re.compile(r"upper[- ]?case|capital", re.IGNORECASE), r"[A-Z]", "A"),
    (re.compile(r"lower[- ]?case", re.IGNORECASE), r"[a-z]", "a"),
)
# "format (555) 123-4567", "e.g. 555-0100", "like name@example.com", "such as 94107"
_EXAMPLE = re.compile(
    r"(?:format|e\.g\.|for example|such as|like|example)\s*:?\s*['\"“]?"
    r"([\w.+-]+@[\w-]+(?:\.[\w-]+)+|[(+]?\d(?:[\d()+\-\s/.]*[\d)])?)",
    re.IGNORECASE,
)
_MATCH = re.compile(
    r"\b(?:must|should|do(?:es)?(?:n'?t| not))\s+match\b|\bmismatch|\bnot the same\b", re.IGNORECASE
)
_FREE_TEXT = {"password", "text", "textarea", ""}


def stated_rules(text: str) -> bool:
    """Does this text say anything a user could act on (beyond 'invalid')?"""
    return bool(
        _MIN_LENGTH.search(text)
        or _EXAMPLE.search(text)
        or _MATCH.search(text)
        or any(rx.search(text) for rx, _, _ in _KINDS)
    )


def wants_match(text: str) -> bool:
    return bool(_MATCH.search(text))


def adapt(field: Field, value: str, text: str) -> str:
    """The value a user types after reading `text` (a hint or an error) and the field's attributes."""
    value = _reformat(field, value, text)
    if field.type in _FREE_TEXT:
        for rx, needed, char in _KINDS:
            # Character-class rules are for passwords and the like; "phone number" is not such a rule.
            about_password = field.type == "password" or "password" in text.lower()
            if about_password and rx.search(text) and not re.search(needed, value):
                value += char
    lengths = [int(g) for m in _MIN_LENGTH.finditer(text) for g in m.groups() if g]
    if field.minlength.isdigit():
        lengths.append(int(field.minlength))
    if lengths and len(value) < max(lengths):
        value += "".join(str(d % 10) for d in range(len(value), max(lengths)))  # more of the same kind
    return value


def _reformat(field: Field, value: str, text: str) -> str:
    """Retype one's own digits in the shape of an example the page gives (or its pattern's shape)."""
    examples = [m.group(1).strip() for m in _EXAMPLE.finditer(text)]
    placeholder = field.placeholder
    if re.search(r"\d", placeholder) and re.search(r"\D", placeholder):
        examples.append(placeholder)  # a placeholder like "(555) 123-4567" shows the expected shape
    pattern = field.pattern
    if pattern and (shape := example_for(pattern)):
        examples.insert(0, shape)
    for example in examples:
        if "@" in example and "@" not in value:
            return example
        shaped = _fit_digits(value, example)
        if shaped is not None and (not pattern or matches(pattern, shaped)):
            return shaped
    return value


def _fit_digits(value: str, example: str) -> str | None:
    mine, theirs = re.sub(r"\D", "", value), re.sub(r"\D", "", example)
    if not theirs or re.search(r"[A-Za-z]", re.sub(r"\d", "", value)):
        return None
    if len(mine) != len(theirs):
        return None  # not my kind of value: a different-length example says nothing about my number
    digits = iter(mine)
    return "".join(next(digits) if ch.isdigit() else ch for ch in example)
