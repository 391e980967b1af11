"""A seeded database the dashboard reads (through settings, as in production) and AppTest helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.dashboard.seed import seed

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
VIEWS = ("experiments", "comparison", "replay", "solves", "timeline", "evaluate", "playground_setup",
         "evaluation_results", "system")


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from db.migrate import upgrade_to_head
    from settings import get_settings

    upgrade_to_head(sqlite_url)
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    st.cache_data.clear()
    ids = seed(sqlite_url)
    ids["url"] = sqlite_url
    return ids


@pytest.fixture
def demo(seeded: dict[str, Any]) -> dict[str, str]:
    """The two demo experiments (demo-shop, demo-signup) added to the seeded database; their ids by app."""
    from tests.dashboard.seed_demo import seed_demo

    ids = seed_demo(seeded["url"])
    st.cache_data.clear()
    return ids


# CPython 3.11's compile() can fail with this SystemError when two threads parse source at once (the
# AppTest script thread and one a previous test left running): a race in the interpreter, not in the
# app, seen once in a full run. The view is run once more then; any other exception stands.
INTERPRETER_RACE = "AST constructor recursion depth mismatch"


@pytest.fixture
def open_view(seeded: dict[str, Any]) -> Callable[..., AppTest]:
    """Run the app as `role` and switch to a view (on `experiment`, else the seeded one); returns the
    AppTest after the run."""

    def run(view: str, role: str = "admin", experiment: str | None = None) -> AppTest:
        for attempt in range(2):
            at = AppTest.from_file(APP, default_timeout=30)
            at.session_state["user_id"] = seeded["users"][role]
            at.session_state["experiment_id"] = experiment or seeded["experiment_id"]
            at.run()
            if view != "experiments":
                at.switch_page(f"views/{view}.py").run()
            if attempt or not any(INTERPRETER_RACE in str(e.value) for e in at.exception):
                return at
        raise AssertionError("unreachable")

    return run
