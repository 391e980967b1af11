"""The variant panel's rounds (no browser): what each look sees, when it stops, and how the metrics stage
reads a panel that looked more than once."""

import time
from datetime import UTC, datetime

import dagster as dg
import pytest
from sqlalchemy import select

from agents.browser.results import SessionResult
from analysis.rows import MetricRow
from analysis.stopping import StoppingRule, StopReason
from assets.panel_rounds import PanelRounds, decision_rows
from assets.records import browser_session_row
from assets.variant_metrics import PRIMARY_METRIC, SECONDARY_METRICS, variant_metrics
from db.models import Experiment, Variant, VariantMetric
from db.panel_stats import panel_sufficient_stats
from db.session import session_scope
from tests.pipelines.conftest import Resources, make_experiment

RULE = StoppingRule(PRIMARY_METRIC, max_sessions_per_arm=12, time_budget_s=600.0, secondary_metrics=SECONDARY_METRICS)
NOW = datetime(2026, 12, 8, tzinfo=UTC)


def result(key: str, index: int, success: bool, actions: int, flow: int = 1) -> SessionResult:
    return SessionResult(variant_key=key, flow_name=f"flow {flow}", flow_order=flow, persona="searcher",
                         seed=index, task_prompt="p", success=success, n_actions=actions,
                         duration_ms=900.0, started_at=NOW, completed_at=NOW)


def panel(rates: dict[str, float], per_arm: int) -> list[SessionResult]:
    """per_arm sessions on each arm, two flows; arm k succeeds on the first rate * per_arm sessions."""
    return [result(key, i, i < rate * per_arm, 5 + i % 3, flow=1 + i % 2)
            for i in range(per_arm) for key, rate in rates.items()]


def _stored(app_url: str, results: list[SessionResult]) -> str:
    """A new experiment with a control and v1 whose panel is `results`, as browser_results stores it."""
    experiment_id = make_experiment(app_url)
    with session_scope(app_url) as session:
        ids = {}
        for key in ("control", "v1"):
            variant = Variant(experiment_id=experiment_id, type="control" if key == "control" else "experiment",
                              key=key)
            session.add(variant)
            session.flush()
            ids[key] = variant.id
        for order, r in enumerate(results):
            session.add(browser_session_row(r, experiment_id=experiment_id, variant_id=ids[r.variant_key],
                                            test_session_id=None, flow_ids={}, stage="browser_results",
                                            panel_order=order))
    return experiment_id


def test_decision_rows_are_what_the_metrics_stage_reads_back(app_url: str):
    results = panel({"control": 0.5, "v1": 0.75}, 8)
    experiment_id = _stored(app_url, results)
    with session_scope(app_url) as session:
        stored = {MetricRow(**s) for s in panel_sufficient_stats(session, experiment_id)}
    in_memory = set(decision_rows(results, (PRIMARY_METRIC, *SECONDARY_METRICS)))
    assert {r.metric for r in in_memory} == {"task_success", "actions"}
    assert in_memory <= stored


def test_effort_counts_only_sessions_that_reached_the_goal(app_url: str):
    # v1's users all give up after one action; control's all succeed in 6: giving up is not less effort.
    results = [result("control", i, True, 6) for i in range(6)] + [result("v1", i, False, 1) for i in range(6)]
    experiment_id = _stored(app_url, results)
    with session_scope(app_url) as session:
        stored = {(s["variant"], s["metric"]): s for s in panel_sufficient_stats(session, experiment_id)}
    assert (stored["control", "actions"]["n"], stored["control", "actions"]["sum"]) == (6, 36.0)
    assert ("v1", "actions") not in stored and ("v1", "time_s") not in stored  # no session of v1 succeeded
    assert stored["v1", "task_success"]["n"] == 6  # success itself is over every session
    in_memory = {(r.variant, r.metric) for r in decision_rows(results, (PRIMARY_METRIC, *SECONDARY_METRICS))}
    assert in_memory == {("control", "task_success"), ("control", "actions"), ("v1", "task_success")}


def test_rounds_run_until_the_budget_in_whole_units_of_every_flow():
    rounds = PanelRounds(RULE, arms=2, flows=2, round_size=3)
    same = {"control": 0.5, "v1": 0.5}
    # After the first round of 4 per arm: another 4 (3 rounded up to both flows) per arm, i.e. 2 per flow.
    assert rounds(panel(same, 4)) == 2 and rounds.decision.round == 1
    assert rounds(panel(same, 8)) == 2
    assert rounds(panel(same, 12)) == 0
    assert rounds.stopped.reason is StopReason.MAX_SESSIONS
    assert (rounds.stopped.round, rounds.stopped.sessions_per_arm) == (3, 12)


def test_a_decision_stops_the_rounds_early():
    rounds = PanelRounds(RULE, arms=2, flows=2, round_size=4)
    assert rounds(panel({"control": 0.0, "v1": 1.0}, 12)) == 0
    assert rounds.stopped.reason is StopReason.DECIDED and rounds.stopped.winner == "v1"


def test_a_round_that_would_overrun_the_time_budget_is_not_started():
    # The panel has already used 500 of its 600 s on 4 sessions per arm: another 4 would end near 1000 s.
    rounds = PanelRounds(RULE, arms=2, flows=2, round_size=4, started=time.monotonic() - 500.0)
    assert rounds(panel({"control": 0.5, "v1": 0.5}, 4)) == 0
    assert rounds.stopped.reason is StopReason.TIME_BUDGET


def test_no_stop_yet_is_not_a_stopping_record():
    rounds = PanelRounds(RULE, arms=2, flows=2, round_size=4)
    with pytest.raises(RuntimeError):
        rounds.stopped  # noqa: B018 - the property is the check
    rounds(panel({"control": 0.5, "v1": 0.5}, 4))
    with pytest.raises(RuntimeError):
        rounds.stopped  # noqa: B018


def _context(experiment_id: str) -> dg.AssetExecutionContext:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    return dg.build_asset_context(partition_key=experiment_id, instance=instance)


def _measured(url: str, reason: str | None, rounds: int | None) -> str:
    """60/80 against 74/80 sessions: significant at a fixed horizon (Holm-adjusted p = 0.004), not on
    always-valid intervals (0.11)."""
    experiment_id = make_experiment(url)
    results = panel({"control": 60 / 80, "v1": 74 / 80}, 80)
    with session_scope(url) as session:
        experiment = session.get(Experiment, experiment_id)
        experiment.panel_stop_reason, experiment.panel_rounds = reason, rounds
        experiment.panel_sessions_per_arm = 80 if reason else None
        ids = {}
        for key in ("control", "v1"):
            variant = Variant(experiment_id=experiment_id, type="control" if key == "control" else "experiment",
                              key=key)
            session.add(variant)
            session.flush()
            ids[key] = variant.id
        for order, r in enumerate(results):
            session.add(browser_session_row(r, experiment_id=experiment_id, variant_id=ids[r.variant_key],
                                            test_session_id=None, flow_ids={}, stage="browser_results",
                                            panel_order=order))
    return experiment_id


def _success(url: str, experiment_id: str) -> VariantMetric:
    with session_scope(url) as session:
        return session.scalars(select(VariantMetric).join(Variant, Variant.id == VariantMetric.variant_id).where(
            VariantMetric.experiment_id == experiment_id, Variant.key == "v1",
            VariantMetric.metric == "task_success")).one()


def test_a_panel_read_once_is_decided_at_a_fixed_horizon(app_url: str, app_resources: Resources):
    experiment_id = _measured(app_url, None, None)
    assert variant_metrics(_context(experiment_id), **app_resources).metadata["champion_variant"] == "v1"
    assert _success(app_url, experiment_id).significant


def test_one_round_cut_by_its_budget_is_still_a_fixed_size_panel(app_url: str, app_resources: Resources):
    experiment_id = _measured(app_url, "max_sessions", 1)
    result = variant_metrics(_context(experiment_id), **app_resources)
    assert result.metadata["champion_variant"] == "v1"
    assert "session budget ran out at 80 sessions per arm (1 round)" in result.metadata["champion_reason"]


def test_a_panel_that_looked_after_every_round_is_decided_on_always_valid_intervals(app_url: str,
                                                                                    app_resources: Resources):
    experiment_id = _measured(app_url, "max_sessions", 5)
    result = variant_metrics(_context(experiment_id), **app_resources)
    # Read after five rounds, the fixed-horizon p = 0.004 would name a winner the evidence does not carry.
    assert result.metadata["champion_variant"] == "none"
    assert "80 sessions per arm (5 rounds)" in result.metadata["champion_reason"]
    assert "always-valid" in result.metadata["champion_reason"]
    stored = _success(app_url, experiment_id)
    assert not stored.significant and stored.p_value > 0.05 and stored.ci_abs_low < 0 < stored.ci_abs_high
