"""The cached loaders return frozen dataclasses, and a cached rerun hands back an equal copy of them
(st.cache_data pickles what a loader returns and unpickles it on every hit)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import streamlit as st

from analysis.bradley_terry import ArmStrength
from dashboard import data, loaded
from dashboard.loaded import (
    ArmValue,
    ComparisonData,
    EvaluationResults,
    ExperimentsOverview,
    Playground,
    PlaygroundData,
    SolvesData,
    SrmCheck,
    SystemData,
    TimelineData,
)
from db.build_summary import BuildSummary


def _twice(loader: Any, *args: Any) -> Any:
    """The loader's value from a cold cache, checked against the one a rerun reads from the cache."""
    st.cache_data.clear()
    first = loader(*args)
    again = loader(*args)
    assert again == first and again is not first  # unpickled from the cache, not the same object
    return first


def test_every_loader_returns_its_frozen_dataclass_and_a_cached_rerun_an_equal_copy(seeded: dict[str, Any]) -> None:
    url, exp, pg = seeded["url"], seeded["experiment_id"], seeded["playground_id"]
    bundles = [
        (_twice(data.experiments, url), ExperimentsOverview),
        (_twice(data.comparison, url, exp), ComparisonData),
        (_twice(data.solves, url, exp), SolvesData),
        (_twice(data.timeline, url, exp), TimelineData),
        (_twice(data.system, url, ("info", "warning", "error"), exp), SystemData),
        (_twice(data.playground, url, pg), PlaygroundData),
        (_twice(data.evaluation_results, url, exp, pg), EvaluationResults),
    ]
    for value, kind in bundles:
        assert type(value) is kind
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, dataclasses.fields(value)[0].name, None)  # no field can be reassigned

    comparison = bundles[1][0]
    assert isinstance(comparison.build, BuildSummary) and comparison.computed
    assert comparison.arm_values and all(isinstance(v, ArmValue) for v in comparison.arm_values)
    assert isinstance(comparison.srm, SrmCheck)
    results = bundles[6][0]
    assert results.computed and results.ranked_playground == pg
    assert results.ranking and all(isinstance(r, ArmStrength) for r in results.ranking)
    assert all(isinstance(r, ArmValue) and r.metric == "rating" for r in results.ratings)


def test_playground_pickers_get_typed_playgrounds(seeded: dict[str, Any]) -> None:
    url, exp, pg = seeded["url"], seeded["experiment_id"], seeded["playground_id"]
    (admin,) = _twice(data.playgrounds, url, exp)
    assert isinstance(admin, Playground) and admin.id == pg and admin.restricted_emails is None
    (tester,) = _twice(data.tester_playgrounds, url, seeded["users"]["tester"])
    # What a tester's session holds of a playground: no access list.
    assert type(tester) is loaded.TesterPlayground  # (a Test* name pytest would collect) and tester.id == pg and tester.is_active
    assert not hasattr(tester, "restricted_emails")


def test_a_replayed_session_is_typed_too(seeded: dict[str, Any]) -> None:
    from dashboard import replay

    url = seeded["url"]
    chosen = replay._choices(url, seeded["experiment_id"])[0]
    shown = _twice(replay._session, url, chosen["id"])
    assert isinstance(shown, loaded.SessionReplay) and shown.variant == chosen["variant"]
    assert replay._session(url, "brs_gone") is None  # replaced by a re-run: the page says so
