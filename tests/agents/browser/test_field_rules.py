"""A user adapts a value only to rules the page states; common phrasings are understood generically."""

from __future__ import annotations

import pytest

from agents.browser.field_rules import adapt, stated_rules, wants_match
from agents.browser.page_view import Field


def field(kind: str = "text", **attrs: str) -> Field:
    return Field(type=kind, **attrs)


@pytest.mark.parametrize(
    ("f", "value", "text", "expected"),
    [
        (
            field("password"),
            "sunflower22",
            "Use at least 10 characters, including a number and a symbol.",
            "sunflower22!",
        ),
        (field("password"), "sunflower", "Must contain a digit", "sunflower7"),
        (
            field("password"),
            "sunflower22",
            "Needs a special character and an uppercase letter",
            "sunflower22!A",
        ),
        (field("password"), "tulip1", "Minimum of 8 characters", "tulip167"),
        (field("password", minlength="9"), "tulip1!", "", "tulip1!78"),
        (field("tel"), "555-123-4567", "Phone: use the format (551) 234-4567.", "(555) 123-4567"),
        (field("tel"), "5551234567", "e.g. 555-123-4567", "555-123-4567"),
        (field("tel", placeholder="(555) 123-4567"), "5551234567", "", "(555) 123-4567"),
        (field("tel", pattern=r"\(\d{3}\) \d{3}-\d{4}"), "555.123.4567", "", "(555) 123-4567"),
        # Nothing stated: the value stays as the person typed it, whatever a hidden rule may want.
        (field("password"), "sunflower22", "Invalid input", "sunflower22"),
        (field("tel"), "555-123-4567", "", "555-123-4567"),
        # "Phone number" is not a password rule; a different-length example says nothing about my number.
        (field("tel"), "555-123-4567", "Phone number is required", "555-123-4567"),
        (field("tel"), "555-123-4567", "format +44 20 7946 0958", "555-123-4567"),
    ],
)
def test_adapt(f: Field, value: str, text: str, expected: str) -> None:
    assert adapt(f, value, text) == expected


def test_what_counts_as_a_stated_rule() -> None:
    assert not stated_rules("Invalid input") and not stated_rules("Something went wrong")
    assert stated_rules("at least 10 characters") and stated_rules("use the format (555) 123-4567")
    assert wants_match("Passwords do not match") and wants_match("Emails must match")
    assert not wants_match("Invalid input")
