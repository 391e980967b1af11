"""The one reading of a site's format regex, shared by the simulated user and the recipe agent."""

from __future__ import annotations

import re

import pytest

from agents.formats import example_for, matches


@pytest.mark.parametrize(
    ("regex", "example"),
    [
        (r"^\(\d{3}\) \d{3}-\d{4}$", "(555) 123-4567"),
        (r"\d{5}", "55512"),
        (r"[0-9]{2}/[0-9]{2}", "55/51"),
        (r"^\d{3,}-x$", "555-x"),
        (r"\d\d-\d", "55-5"),
        (r"^\d{12}$", "555123456755"),
    ],
)
def test_simple_formats_get_an_example_that_matches(regex: str, example: str) -> None:
    assert example_for(regex) == example
    assert re.fullmatch(regex, example)


@pytest.mark.parametrize("regex", [r"\w+@\w+", r"[A-Z]{2}\d{4}", r"(\d{3})?-\d", r"a|b", r"\d+", "^$", r"x.y"])
def test_anything_beyond_digits_and_literals_has_no_example(regex: str) -> None:
    assert example_for(regex) is None


def test_matches_applies_the_pattern_to_the_whole_value_and_trusts_js_only_syntax() -> None:
    assert matches(r"\d{3}", "123") and not matches(r"\d{3}", "1234")
    assert matches(r"(?<name>\d)", "anything")  # JS named-group syntax Python rejects
