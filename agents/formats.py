"""Example values for the simple input formats sites state as regexes, such as ^\\(\\d{3}\\) \\d{3}-\\d{4}$.

The simulated user reads a field's `pattern` attribute to shape what it types, and the recipe code
agent writes a format hint ("e.g. (555) 123-4567") from a regex in the site's script: both need the
same reading of a regex, so there is one.
"""

from __future__ import annotations

import re

# Digits are dealt in order from the classic fictional phone number, so \(\d{3}\) \d{3}-\d{4}
# reads as (555) 123-4567.
_DIGITS = "5551234567"
_DIGIT_CLASSES = (r"\d", "[0-9]")
_COUNT = re.compile(r"\{(\d+)(?:,\d*)?\}")


def example_for(regex: str) -> str | None:
    """A value matching `regex` when it is only digits, repeats and literal characters; else None."""
    body = regex.removeprefix("^").removesuffix("$")
    out: list[str] = []
    i = dealt = 0
    while i < len(body):
        digit_class = next((d for d in _DIGIT_CLASSES if body.startswith(d, i)), None)
        if digit_class is not None:
            i += len(digit_class)
            count = _COUNT.match(body, i)
            n = int(count.group(1)) if count else 1
            i = count.end() if count else i
            out.append("".join(_DIGITS[(dealt + k) % len(_DIGITS)] for k in range(n)))
            dealt += n
        elif body[i] == "\\" and i + 1 < len(body) and not body[i + 1].isalnum():
            out.append(body[i + 1])  # an escaped literal such as \( or \-
            i += 2
        elif body[i] in "[](){}*+?|.^$\\":
            return None  # a class, group, alternative or repeat of more than a digit: not simple
        else:
            out.append(body[i])
            i += 1
    return "".join(out) or None


def matches(regex: str, value: str) -> bool:
    """Whether `value` satisfies an HTML pattern (anchored on both ends, as browsers apply it)."""
    try:
        return re.fullmatch(regex, value) is not None
    except re.error:  # a JS-only regex feature: the caller's shaped value is trusted
        return True
