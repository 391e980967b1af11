"""Malformed input in the dashboard's forms: one error message naming the field, what is wrong and
what is allowed; no exception; no row written (the same rules as the CLI, tests/cli/test_bad_input.py)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import Arm, AuditLog, Evaluation, Experiment, Playground, Question, TimelineEvent
from db.session import session_scope
from tests.dashboard.seed import EXAMPLE_SHOP

WRITTEN = (Experiment, TimelineEvent, Playground, Arm, Question, AuditLog, Evaluation)


def _rows(url: str) -> dict[str, int]:
    with session_scope(url) as s:
        counted = {model.__name__: s.scalar(select(func.count()).select_from(model)) for model in WRITTEN}
        counted["caps"] = s.scalar(select(func.sum(Arm.max_evaluations)))
        return counted


def _by_label(elements, label: str):  # type: ignore[no-untyped-def]
    return next(e for e in elements if e.label == label)


def _app_with_bad_config(tmp: Path) -> str:
    app = tmp / "shop"
    shutil.copytree(EXAMPLE_SHOP, app)
    (app / "variantlab.toml").write_text("port = 70000\n")
    return str(app)


# (form fields to fill, the one error). The repository is the bundled shop unless a case names one.
EXPERIMENT_FORM = [
    ({"Goal": ""}, "--goal is empty; say what users struggle with"),
    ({"Goal": "x" * 2001}, "--goal is 2001 characters; the limit is 2000"),
    ({"Goal": "find \x1b[31mproducts"}, ("--goal contains control characters (such as terminal escape sequences); "
                                        "give plain text")),
    ({"Goal": "find\x1b]0;owned\x07 products"}, "--goal contains control characters"),
    ({"Repository": "/definitely/not/here"}, "--repo '/definitely/not/here' is neither a git URL nor an existing"),
    ({"Repository": "https://example.com/" + "a" * 3000}, "--repo is 3020 characters; the limit is 2000"),
    ({"Branch (optional)": "main; rm -rf /"}, "--branch 'main; rm -rf /' contains forbidden characters"),
    ({"Repository": "{bad_config}"}, "variantlab.toml: port must be an integer between 1 and 65535, not int 70000"),
]


@pytest.mark.parametrize(("fields", "expected"), EXPERIMENT_FORM,
                         ids=[f"{next(iter(f))}={next(iter(f.values()))[:20]!r}" for f, _ in EXPERIMENT_FORM])
def test_experiment_form_refuses_in_one_message(open_view: Callable[..., Any], seeded: dict[str, Any],
                                                tmp_path: Path, fields: dict[str, str], expected: str) -> None:
    before = _rows(seeded["url"])
    at = open_view("experiments", "analyst")
    values = {"Repository": EXAMPLE_SHOP, "Goal": "Users can't find products", **fields}
    if values["Repository"] == "{bad_config}":
        values["Repository"] = _app_with_bad_config(tmp_path)
    _by_label(at.text_input, "Repository").input(values["Repository"])
    _by_label(at.text_area, "Goal").input(values["Goal"])
    if "Branch (optional)" in values:
        _by_label(at.text_input, "Branch (optional)").input(values["Branch (optional)"])
    _by_label(at.button, "Create experiment").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(expected) and "\n" not in errors[0], errors
    assert not at.success
    assert _rows(seeded["url"]) == before


# (form fields to fill, the one error). Unlisted fields keep the form's defaults, which are valid.
PLAYGROUND_FORM = [
    ({"Name": "Shop\x1b[2J"}, ("Name: contains control characters (such as terminal escape sequences or line "
                              "breaks); give one line of plain text")),
    ({"Name": "   "}, "Name: empty; give a short plain-text name"),
    ({"Name": "n" * 300}, "Name: 300 characters; the limit is 255"),
    ({"Instructions shown to testers": "Try it \x07\x1b[5m now"}, "Instructions shown to testers: contains control"),
    ({"Instructions shown to testers": "i" * 5001}, "Instructions shown to testers: 5001 characters; the limit is 5000"),
    ({"Restrict to these emails (one per line; empty = every signed-in tester)": "not-an-email"},
     "'not-an-email' is not an email address"),
    ({"Arms (the experiment's variants)": ["v1"]}, "an A/B playground needs at least two arms, got 1"),
]


@pytest.mark.parametrize(("fields", "expected"), PLAYGROUND_FORM,
                         ids=[f"{next(iter(f))[:12]}={str(next(iter(f.values())))[:16]!r}" for f, _ in PLAYGROUND_FORM])
def test_new_playground_form_refuses_in_one_message(open_view: Callable[..., Any], seeded: dict[str, Any],
                                                    fields: dict[str, Any], expected: str) -> None:
    before = _rows(seeded["url"])
    at = open_view("playground_setup", "admin")
    for label, value in fields.items():
        if isinstance(value, list):
            _by_label(at.multiselect, label).set_value(value)
        elif label == "Name":
            _by_label(at.text_input, label).input(value)
        else:
            _by_label(at.text_area, label).input(value)
    _by_label(at.button, "Create playground").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(expected) and "\n" not in errors[0], errors
    assert not at.success
    assert _rows(seeded["url"]) == before


def test_an_arm_cap_out_of_range_is_refused(open_view: Callable[..., Any], seeded: dict[str, Any]) -> None:
    """The per-arm cap has no upper bound in the widget, so the bound is the write's: a cap past
    MAX_CAP (which would overflow PostgreSQL's integer column) is refused, not stored."""
    before = _rows(seeded["url"])
    at = open_view("playground_setup", "admin")
    _by_label(at.number_input, "cap").set_value(10**10)
    _by_label(at.button, "Set cap").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("cap of ") and errors[0].endswith(
        ": 10000000000 evaluations; give a whole number from 0 to 100000"), errors
    assert _rows(seeded["url"]) == before


def test_a_question_with_escape_sequences_is_refused(open_view: Callable[..., Any], seeded: dict[str, Any]) -> None:
    before = _rows(seeded["url"])
    at = open_view("playground_setup", "admin")
    _by_label(at.text_input, "Question").input("Was it \x1b[31mred\x1b[0m?")
    at.radio[1].set_value("input_string")  # the question form's Type (the first radio is the new playground's)
    _by_label(at.button, "Add question").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        ("Question: contains control characters (such as terminal escape sequences or line breaks); "
        "give one line of plain text")]
    assert _rows(seeded["url"]) == before


def test_an_overlong_answer_is_refused(open_view: Callable[..., Any], seeded: dict[str, Any]) -> None:
    before = _rows(seeded["url"])
    at = open_view("evaluate", "tester")
    _by_label(at.radio, "Could you find the product you wanted?").set_value("yes")
    _by_label(at.text_area, "What was confusing? (optional)").input("a" * 10_001)
    at.radio(key="rating").set_value(4)
    _by_label(at.button, "Submit evaluation").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "exceeds 10000 characters" in errors[0], errors
    assert _rows(seeded["url"]) == before
