"""The stopping rule: always-valid p-values that invert the sequences, the engine's family, and each reason."""

import math

import numpy as np
import pytest

from analysis.engine import analyze
from analysis.rows import MetricRow
from analysis.sequential import confidence_sequence
from analysis.statistics import SampleStats
from analysis.stopping import (
    Look,
    StoppingRule,
    StopReason,
    always_valid_p_value,
    as_sequential,
    decide,
    looked_more_than_once,
    next_round_size,
    sequential_comparisons,
    sequential_test,
    stop_summary,
)
from tests.analysis.helpers import stats_of

RULE = StoppingRule("task_success", max_sessions_per_arm=160, time_budget_s=120.0, secondary_metrics=("actions",))


def panel(n: int, successes: dict[str, int], actions: dict[str, float] | None = None) -> tuple[MetricRow, ...]:
    """n sessions per arm; actions: each arm's mean, spread as mean - 1, mean, mean + 1 in turn."""
    rows = [MetricRow(arm, "task_success", "binomial", n, s, s) for arm, s in successes.items()]
    for arm, mean in (actions or {}).items():
        values = [mean + (i % 3) - 1 for i in range(n)]
        rows.append(MetricRow(arm, "actions", "mean", n, sum(values), sum(v * v for v in values), False))
    return tuple(rows)


@pytest.mark.parametrize("shift", [0.05, 0.2, 0.3, 0.6])
def test_the_p_value_is_below_alpha_exactly_when_the_sequence_excludes_zero(shift):
    rng = np.random.default_rng(7)
    control, treatment = stats_of(rng.normal(5.0, 1.0, 200)), stats_of(rng.normal(5.0 + shift, 1.0, 200))
    effect = treatment.mean - control.mean
    se = math.sqrt(control.variance / control.n + treatment.variance / treatment.n)
    p = always_valid_p_value(effect, se, 400, alpha=0.05, tuning=250.0)
    low, high = confidence_sequence(control, treatment, alpha=0.05, tuning=250.0).ci_abs
    assert (p < 0.05) == (low > 0 or high < 0)
    # An effect at the sequence's edge has p = alpha itself: the two are one statement.
    assert always_valid_p_value(high - effect, se, 400, alpha=0.05, tuning=250.0) == pytest.approx(0.05)


def test_sequential_intervals_are_wider_than_fixed_horizon_ones():
    control, treatment = SampleStats.binomial(64, 40), SampleStats.binomial(64, 52)
    fixed = analyze([MetricRow("control", "s", "binomial", 64, 40, 40), MetricRow("v1", "s", "binomial", 64, 52, 52)],
                    "control").results[0]
    test = sequential_test(control, treatment)
    assert test.ci_abs[0] < fixed.ci_abs[0] and test.ci_abs[1] > fixed.ci_abs[1]
    assert test.p_value > fixed.p_value
    assert test.ci_rel[0] < fixed.ci_rel[0] < fixed.ci_rel[1] < test.ci_rel[1]


def test_all_or_nothing_arms_get_a_sequence_but_equal_constant_arms_do_not():
    # 0/16 against 16/16 has no observed variance; the adjusted variance still lets it decide.
    boundary = sequential_test(SampleStats.binomial(16, 0), SampleStats.binomial(16, 16))
    assert boundary is not None and boundary.ci_abs[0] > 0 and boundary.p_value < 0.05
    assert boundary.ci_rel is None  # a zero baseline has no ratio
    # As the engine: two constant arms with the same mean cannot be compared at all.
    assert sequential_test(SampleStats.binomial(16, 0), SampleStats.binomial(16, 0)) is None
    assert sequential_test(SampleStats.binomial(1, 1), SampleStats.binomial(16, 8)) is None


def test_the_family_is_the_engines_and_is_holm_adjusted():
    rows = panel(96, {"control": 72, "v1": 90, "v2": 72}, {"control": 6.4, "v1": 5.6, "v2": 6.4})
    compared = sequential_comparisons(rows, "control")
    engine = analyze(rows, "control")
    assert {(c.variant, c.metric) for c in compared} == {(r.variant, r.metric) for r in engine.results}
    raw = sorted(c.test.p_value for c in compared)
    # Holm: the smallest p is scaled by the family's size (4), the next by 3, never below the one before.
    smallest = min(compared, key=lambda c: c.test.p_value)
    assert smallest.p_value_adjusted == pytest.approx(min(1.0, 4 * raw[0]))
    assert all(c.p_value_adjusted >= c.test.p_value for c in compared)


def test_as_sequential_replaces_every_figure_the_decision_reads():
    # 62/80 against 72/80 clears a fixed-horizon test (p = 0.03) but not an always-valid one.
    rows = panel(80, {"control": 62, "v1": 72})
    fixed = analyze(rows, "control")
    assert fixed.results[0].significant
    sequential = as_sequential(fixed, rows)
    result = sequential.results[0]
    expected = sequential_test(SampleStats.binomial(80, 62), SampleStats.binomial(80, 72))
    assert result.ci_abs == expected.ci_abs == result.ci_abs_sequential and result.p_value == expected.p_value
    assert result.ci_rel == expected.ci_rel and result.p_value_rel == expected.p_value_rel
    assert not result.significant and result.p_value_adjusted == pytest.approx(expected.p_value)
    assert result.chance_to_win == fixed.results[0].chance_to_win  # the posterior does not care why we stopped


def test_an_uncomparable_result_keeps_no_fixed_horizon_figure():
    rows = (MetricRow("control", "s", "binomial", 10, 0, 0), MetricRow("v1", "s", "binomial", 10, 0, 0))
    result = as_sequential(analyze(rows, "control"), rows).results[0]
    assert result.p_value is None and result.ci_abs is None and not result.significant


def look(rows: tuple[MetricRow, ...], *, n: int, next_round: int = 16, elapsed: float = 10.0, round: int = 2) -> Look:
    return Look(round=round, rows=rows, sessions_per_arm=n, next_round_per_arm=next_round, elapsed_s=elapsed)


def test_a_clear_winner_stops_the_panel_and_is_named():
    rows = panel(96, {"control": 72, "v1": 90, "v2": 73}, {"control": 6.0, "v1": 6.0, "v2": 6.0})
    decision = decide(look(rows, n=96), RULE)
    assert decision.reason is StopReason.DECIDED and decision.winner == "v1" and decision.stop
    assert "v1 +18.8 pp on task_success" in decision.explanation and "96 sessions per arm" in decision.explanation


def test_the_same_effect_on_few_sessions_runs_another_round():
    rows = panel(16, {"control": 12, "v1": 15, "v2": 12}, {"control": 6.0, "v1": 6.0, "v2": 6.0})
    decision = decide(look(rows, n=16), RULE)
    assert decision.reason is None and not decision.stop and decision.winner is None
    assert "not decided" in decision.explanation and "closest: v1" in decision.explanation


def test_every_variant_worse_decides_for_the_control():
    rows = panel(64, {"control": 60, "v1": 20, "v2": 25})
    decision = decide(look(rows, n=64), RULE)
    assert decision.reason is StopReason.DECIDED and decision.winner == "control"
    # One variant worse and one undecided is not a decision yet.
    assert decide(look(panel(64, {"control": 60, "v1": 20, "v2": 58}), n=64), RULE).reason is None


def test_a_secondary_metric_alone_does_not_stop_the_panel():
    rows = panel(96, {"control": 72, "v1": 72}, {"control": 9.0, "v1": 4.0})
    assert decide(look(rows, n=96), RULE).reason is None


def test_budgets_end_an_undecided_panel():
    rows = panel(32, {"control": 24, "v1": 26})
    assert decide(look(rows, n=160, next_round=0), RULE).reason is StopReason.MAX_SESSIONS
    # 32 sessions per arm took 100 s, so another 16 would end near 150 s, past the 120 s budget.
    timed = decide(look(rows, n=32, elapsed=100.0), RULE)
    assert timed.reason is StopReason.TIME_BUDGET and "about 150 s" in timed.explanation
    assert decide(look(rows, n=32, elapsed=70.0), RULE).reason is None  # 105 s fits


def test_a_decision_beats_a_spent_budget():
    rows = panel(160, {"control": 120, "v1": 150})
    assert decide(look(rows, n=160, next_round=0, elapsed=500.0), RULE).reason is StopReason.DECIDED


def test_without_a_control_or_a_variant_there_is_nothing_to_wait_for():
    assert decide(look(panel(16, {"v1": 8, "v2": 9}), n=16), RULE).reason is StopReason.NOTHING_TO_COMPARE
    assert decide(look(panel(16, {"control": 8}), n=16), RULE).reason is StopReason.NOTHING_TO_COMPARE


@pytest.mark.parametrize(("done", "size", "most", "unit", "expected"), [
    (16, 16, 160, 1, 16),
    (16, 16, 160, 3, 18),  # whole rounds of every flow: 16 rounds up to 6 sessions of each of 3 flows
    (150, 16, 160, 1, 10),  # the budget's rest
    (150, 16, 160, 4, 8),  # ... in whole units
    (160, 16, 160, 1, 0),
    (18, 16, 16, 3, 0),  # a first round above the budget: no more
])
def test_next_round_size(done, size, most, unit, expected):
    assert next_round_size(done, round_size=size, max_sessions_per_arm=most, unit=unit) == expected


@pytest.mark.parametrize(("reason", "rounds", "sequential", "text"), [
    ("decided", 6, True, "the panel decided after 96 sessions per arm (6 rounds); intervals and p-values are"),
    ("decided", 1, True, "the panel decided after 96 sessions per arm (1 round);"),
    ("max_sessions", 1, False, "the panel's session budget ran out at 96 sessions per arm (1 round) without"),
    ("time_budget", 3, True, "the panel's time budget ran out after 96 sessions per arm (3 rounds) without"),
])
def test_how_a_panel_ended_in_one_sentence(reason, rounds, sequential, text):
    assert looked_more_than_once(reason, rounds) is sequential
    summary = stop_summary(reason, rounds, 96)
    assert summary.startswith(text) and ("always-valid" in summary) is sequential
