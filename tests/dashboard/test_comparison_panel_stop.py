"""Comparison says how the variant panel ended: why it stopped and after how many sessions."""

from __future__ import annotations

import pytest
import streamlit as st

from db.models import Experiment
from db.session import session_scope


def _captions(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(str(c.value) for c in at.caption)


@pytest.mark.parametrize(("reason", "rounds", "shown"), [
    ("decided", 6, "The panel decided after 96 sessions per arm (6 rounds); intervals and p-values are always-valid"),
    ("time_budget", 1, "The panel's time budget ran out after 96 sessions per arm (1 round) without a decision."),
])
def test_comparison_states_why_the_panel_stopped(seeded, open_view, reason: str, rounds: int, shown: str) -> None:
    with session_scope(seeded["url"]) as session:
        experiment = session.get(Experiment, seeded["experiment_id"])
        experiment.panel_stop_reason, experiment.panel_rounds, experiment.panel_sessions_per_arm = reason, rounds, 96
    st.cache_data.clear()
    at = open_view("comparison", "analyst")
    assert not at.exception, [e.value for e in at.exception]
    assert shown in _captions(at)


def test_a_panel_of_one_fixed_round_says_nothing_about_stopping(open_view) -> None:
    at = open_view("comparison", "analyst")
    assert not at.exception
    assert "The panel" not in _captions(at)
