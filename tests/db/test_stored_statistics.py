"""The metrics stages' numbers round-trip through the database as the analysis types they were computed as."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from analysis.arm_intervals import ArmInterval
from analysis.bradley_terry import bradley_terry
from analysis.codes import ErrorCode
from analysis.srm import srm_test
from db.experiments import create_experiment
from db.models import ArmValue, Playground, StatisticsRun
from db.session import session_scope
from db.stored_statistics import (
    human_statistics,
    panel_statistics,
    store_human_statistics,
    store_panel_statistics,
)

INTERVALS = (ArmInterval(arm="control", metric="task_success", n=16, mean=0.25, ci_low=0.1, ci_high=0.49),
             ArmInterval(arm="v1", metric="time_s", n=1, mean=4.2, error_code=ErrorCode.TOO_FEW_SAMPLES))


def _experiment(url: str) -> str:
    with session_scope(url) as s:
        return create_experiment(s, repo="https://example.com/o/app", goal="find things").id


def test_panel_statistics_round_trip_and_replace(db_url: str) -> None:
    exp = _experiment(db_url)
    with session_scope(db_url) as s:
        assert panel_statistics(s, exp) is None  # never computed: the dashboard says so
    srm = srm_test({"control": 60, "v1": 20})  # p ~ 8e-6: a mismatch
    for _ in range(2):  # a re-materialised partition replaces, never adds
        with session_scope(db_url) as s:
            written = store_panel_statistics(s, exp, srm, INTERVALS)
    with session_scope(db_url) as s:
        stored = panel_statistics(s, exp)
        assert s.scalar(select(func.count()).select_from(StatisticsRun)) == 1
        assert s.scalar(select(func.count()).select_from(ArmValue)) == len(INTERVALS)
    assert stored is not None and stored.arms == INTERVALS
    assert stored.srm.flagged and stored.srm.p_value == pytest.approx(srm.p_value)
    assert stored.srm.chi2 == pytest.approx(20.0) and stored.srm.observed == {"control": 60, "v1": 20}
    assert written == stored  # what the stage reports of what it wrote is what the dashboard reads


def test_human_statistics_keep_the_ranking_and_its_playground(db_url: str) -> None:
    exp = _experiment(db_url)
    ranking = bradley_terry([("control", "v1", 0.0)] * 6 + [("control", "v1", 1.0)] * 2, n_bootstrap=50)
    with session_scope(db_url) as s:
        playground = Playground(experiment_id=exp, name="pg")
        s.add(playground)
        s.flush()
        written = store_human_statistics(s, exp, playground.id, INTERVALS[:1], ranking)
        playground_id = playground.id
    with session_scope(db_url) as s:
        stored = human_statistics(s, exp)
    assert stored is not None and stored.playground_id == playground_id
    assert stored.ranking == ranking and stored.arms == INTERVALS[:1]
    assert written == stored


def test_no_comparisons_is_stored_as_computed_with_its_error_code(db_url: str) -> None:
    exp = _experiment(db_url)
    with session_scope(db_url) as s:
        playground = Playground(experiment_id=exp, name="pg")
        s.add(playground)
        s.flush()
        store_human_statistics(s, exp, playground.id, (), bradley_terry([]))
    with session_scope(db_url) as s:
        stored = human_statistics(s, exp)
    assert stored is not None and stored.ranking.error_code is ErrorCode.NO_COMPARISONS and not stored.ranking.arms
