"""Primary action: a create control that is only a symbol gets words a visitor can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.code.behaviour import check_behaviour
from agents.code.recipe_agent import run_recipe_agent
from agents.schemas import SuggestionSpec
from settings import Settings
from tests.agents.code.test_shell import DiskWorkspace

pytestmark = pytest.mark.browser

HOME = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Notes</title></head>
<body><header><a href="index.html">Notes</a> <a class="new" href="notes/new.html">+</a></header>
<main><h1>Latest notes</h1><ul><li><a href="a.html">First</a></li></ul></main></body></html>
"""
NEW = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>New note</title></head>
<body><h1>Write a note</h1><form><label>Title <input name="title"></label><button>Save</button></form></body></html>
"""


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    (root / "notes").mkdir(parents=True)
    (root / "index.html").write_text(HOME)
    (root / "notes" / "new.html").write_text(NEW)
    return root


def test_a_symbol_only_create_link_fails_and_the_module_labels_it(notes: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    url = serve(notes)
    before = check_behaviour("primary_action", url, browser=settings.browser)
    assert before.passed is False and "'+'" in before.detail
    suggestion = SuggestionSpec(title="Give the main create action a visible label and a button look",
                                rationale="t", recipe="primary_action")
    result = run_recipe_agent(DiskWorkspace(notes), suggestion)
    assert result.status == "completed", result.error_message
    after = check_behaviour("primary_action", url, browser=settings.browser)
    assert after.passed is True, after.detail
    assert "'New note'" in after.detail and "opens /notes/new.html" in after.detail
