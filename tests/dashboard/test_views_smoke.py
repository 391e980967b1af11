"""Every view renders on a realistic database without an exception, and shows what it is for."""

from __future__ import annotations

import pytest
import streamlit as st

from db.base import utcnow
from db.models import StageRun
from db.session import session_scope
from tests.dashboard.conftest import VIEWS


def _text(at) -> str:  # type: ignore[no-untyped-def]
    parts = [e.value for e in [*at.markdown, *at.caption, *at.title, *at.subheader, *at.success, *at.info,
                               *at.error, *at.warning]]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("view", [v for v in VIEWS if v != "evaluate"])
def test_view_renders_for_admin(open_view, view: str) -> None:
    at = open_view(view, "admin")
    assert not at.exception, [e.value for e in at.exception]
    assert "Local mode" in _text(at)


def test_solves_show_the_champion_run(open_view) -> None:
    at = open_view("solves", "analyst")
    assert not at.exception
    assert "Champion run offline-recipe · T=0" in _text(at)


def test_system_shows_how_to_rerun_the_failed_stage(open_view, seeded) -> None:
    at = open_view("system", "analyst")  # on the experiment that did not fail
    assert not at.exception and not at.code
    next(s for s in at.selectbox if s.label == "Experiment").set_value("").run()  # all experiments
    commands = [c.value for c in at.code]
    assert f"variantlab run {seeded['failed_experiment_id']} --stage control_analysis" in commands


def test_system_counts_what_the_pipeline_writes(open_view, seeded) -> None:
    """The seed writes the pipeline's statuses: a "ready" test session, "pending" flows, 30 sessions."""
    at = open_view("system", "analyst")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    counts = (metrics["Active test sessions"], metrics["Flows executed"], metrics["Browser sessions completed"])
    assert counts == ("0", "1", "30")
    # A panel stage marked running (as db.stages.tracked_stage does) is an active test session; another
    # running stage of the same pipeline is not.
    with session_scope(seeded["url"]) as s:
        s.add_all([StageRun(experiment_id=seeded["experiment_id"], stage="browser_results", status="running",
                            started_at=utcnow()),
                   StageRun(experiment_id=seeded["failed_experiment_id"], stage="variant_suggestions",
                            status="running", started_at=utcnow())])
    st.cache_data.clear()
    at = open_view("system", "analyst")
    assert {m.label: m.value for m in at.metric}["Active test sessions"] == "1"


def test_evaluate_view_for_a_tester(open_view) -> None:
    at = open_view("evaluate", "tester2")  # tester2 has evaluated every arm already
    assert not at.exception
    assert "already evaluated every arm" in _text(at)


@pytest.mark.parametrize("view", ["comparison", "solves", "timeline", "playground_setup", "evaluation_results",
                                  "system", "experiments"])
def test_tester_is_refused_on_analyst_views(open_view, view: str) -> None:
    at = open_view(view, "tester")
    assert not at.exception
    assert any("you are signed in as a tester" in e.value for e in at.error)
