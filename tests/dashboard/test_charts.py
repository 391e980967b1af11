"""Figure builders and loader helpers, tested as plain functions (no Streamlit runtime)."""

from __future__ import annotations

import math

import pytest

from dashboard import charts
from dashboard.data import arm_intervals

METRICS = [
    {"variant": "v1", "metric": "task_success", "effect_rel": 0.25, "ci_low": 0.05, "ci_high": 0.45, "significant": True},
    {"variant": "v2", "metric": "task_success", "effect_rel": -0.10, "ci_low": -0.30, "ci_high": 0.10,
     "significant": False},
    {"variant": "v3", "metric": "task_success", "effect_rel": -0.20, "ci_low": -0.30, "ci_high": -0.05,
     "significant": True},
    {"variant": "control", "metric": "task_success", "effect_rel": None, "ci_low": None, "ci_high": None},
    {"variant": "v1", "metric": "time_s", "effect_rel": -0.5, "ci_low": -0.6, "ci_high": -0.4, "significant": True},
]


def test_effect_intervals_plots_percent_effects_with_asymmetric_bars_and_colours() -> None:
    fig = charts.effect_intervals(METRICS, "task_success")
    (trace,) = fig.data
    assert list(trace.y) == ["v1", "v2", "v3"]  # the control has no comparison and is left out
    assert list(trace.x) == pytest.approx([25.0, -10.0, -20.0])
    assert list(trace.error_x.array) == pytest.approx([20.0, 20.0, 15.0])
    assert list(trace.error_x.arrayminus) == pytest.approx([20.0, 20.0, 10.0])
    assert list(trace.marker.color) == [charts.GOOD, charts.NEUTRAL, charts.BAD]


def test_effect_intervals_without_data_says_so() -> None:
    fig = charts.effect_intervals(METRICS, "lcp_s")
    assert not fig.data and fig.layout.annotations[0].text == "no comparison yet"


def test_solve_heatmap_is_model_by_temperature_with_cell_means() -> None:
    runs = [
        {"model": "a", "temperature": 0.0, "tokens": 100},
        {"model": "a", "temperature": 0.0, "tokens": 300},  # a retry in the same cell: averaged
        {"model": "a", "temperature": 0.7, "tokens": 50},
        {"model": "b", "temperature": 0.7, "tokens": 80},
        {"model": "b", "temperature": 0.0, "tokens": None},  # a failed run without a figure
    ]
    (trace,) = charts.solve_heatmap(runs, "tokens", "Tokens").data
    assert list(trace.y) == ["a", "b"] and list(trace.x) == ["T=0", "T=0.7"]
    assert [list(row) for row in trace.z] == [[200.0, 50.0], [None, 80.0]]


def test_answer_distribution_is_percent_per_arm() -> None:
    rows = [
        {"question_text": "Found it?", "model_key": "control", "answer_value": "yes", "response_count": 1},
        {"question_text": "Found it?", "model_key": "control", "answer_value": "no", "response_count": 3},
        {"question_text": "Found it?", "model_key": "v1", "answer_value": "yes", "response_count": 2},
        {"question_text": "Other?", "model_key": "v1", "answer_value": "x", "response_count": 9},
    ]
    fig = charts.answer_distribution(rows, "Found it?")
    by_arm = {t.name: dict(zip(t.x, t.y)) for t in fig.data}
    assert by_arm == {"control": {"yes": 25.0, "no": 75.0}, "v1": {"yes": 100.0}}


def test_interval_bars_and_log_levels() -> None:
    rows = [{"arm": "a", "mean": 4.0, "ci_low": 3.5, "ci_high": 4.6}, {"arm": "b", "mean": None}]
    (trace,) = charts.interval_bars(rows, label="arm", value="mean", title="t", axis_title="y").data
    assert list(trace.x) == ["a"] and list(trace.error_y.array) == pytest.approx([0.6])
    assert list(trace.error_y.arrayminus) == pytest.approx([0.5])
    (bars,) = charts.log_levels({"error": 2, "info": 5, "debug": 0}).data
    assert list(bars.x) == ["info", "error"] and list(bars.y) == [5, 2]


def test_arm_intervals_match_a_t_interval_and_skip_empty_arms() -> None:
    ratings = [4, 5, 3, 4, 4]
    n, s, ss = len(ratings), sum(ratings), sum(r * r for r in ratings)
    out = arm_intervals([
        {"variant": "v1", "metric": "rating", "type": "mean", "n": n, "sum": s, "sum_squares": ss},
        {"variant": "v2", "metric": "rating", "type": "mean", "n": 0, "sum": 0, "sum_squares": 0},
    ])
    assert [o["arm"] for o in out] == ["v1"]
    mean, sd = 4.0, math.sqrt(0.5)
    half = 2.7764451051977987 * sd / math.sqrt(n)  # t(0.975, 4)
    assert out[0]["mean"] == pytest.approx(mean)
    assert (out[0]["ci_low"], out[0]["ci_high"]) == pytest.approx((mean - half, mean + half))
