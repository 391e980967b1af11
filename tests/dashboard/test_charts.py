"""Figure builders and loader helpers, tested as plain functions (no Streamlit runtime)."""

from __future__ import annotations

import math

import pytest

from dashboard import charts
from dashboard.data import arm_intervals


def _row(variant: str, metric: str, type_: str, effect_abs: float | None, ci_abs: tuple[float, float] | None,
         effect_rel: float | None, ci_rel: tuple[float, float] | None, significant: bool = False) -> dict:
    return {"variant": variant, "metric": metric, "type": type_, "effect_abs": effect_abs,
            "ci_abs_low": ci_abs and ci_abs[0], "ci_abs_high": ci_abs and ci_abs[1], "p_value": 0.01,
            "effect_rel": effect_rel, "ci_low": ci_rel and ci_rel[0], "ci_high": ci_rel and ci_rel[1],
            "p_value_rel": 0.02, "p_value_adjusted": 0.03, "significant": significant}


METRICS = [
    _row("v1", "task_success", "binomial", 0.10, (0.02, 0.18), 0.25, (0.05, 0.45), significant=True),
    _row("v2", "task_success", "binomial", -0.04, (-0.12, 0.04), -0.10, (-0.30, 0.10)),
    _row("v3", "task_success", "binomial", -0.08, (-0.12, -0.02), -0.20, (-0.30, -0.05), significant=True),
    _row("control", "task_success", "binomial", None, None, None, None),
    # A zero baseline: no relative effect, but the absolute comparison stands and is plotted.
    _row("v4", "task_success", "binomial", 0.05, (-0.01, 0.11), None, None),
    _row("v1", "time_s", "mean", -2.5, (-3.0, -2.0), -0.5, (-0.6, -0.4), significant=True),
]


def test_effect_intervals_plot_the_absolute_pair_in_percentage_points() -> None:
    fig = charts.effect_intervals(METRICS, "task_success")
    (trace,) = fig.data
    assert list(trace.y) == ["v1", "v2", "v3", "v4"]  # the control has no comparison and is left out
    assert list(trace.x) == pytest.approx([10.0, -4.0, -8.0, 5.0])
    # The bars are ci_abs (the interval p_value inverts), not the relative ci_low/ci_high.
    assert list(trace.error_x.array) == pytest.approx([8.0, 8.0, 6.0, 6.0])
    assert list(trace.error_x.arrayminus) == pytest.approx([8.0, 8.0, 4.0, 6.0])
    assert list(trace.marker.color) == [charts.GOOD, charts.NEUTRAL, charts.BAD, charts.NEUTRAL]
    assert "percentage points" in fig.layout.xaxis.title.text


def test_effect_hover_labels_the_relative_pair_with_its_own_p_value() -> None:
    (trace,) = charts.effect_intervals(METRICS, "task_success").data
    assert trace.text[0] == ("+10 pp [+2, +18] pp, p = 0.01, adjusted p = 0.03"
                             "<br>relative +25.0% [+5.0%, +45.0%], p = 0.02")
    assert "relative" not in trace.text[3]  # no ratio from a zero baseline


def test_effect_colours_follow_the_metric_good_direction() -> None:
    faster = dict(METRICS[-1], higher_is_better=False)  # 2.5 s less per session: an improvement
    slower = dict(faster, variant="v2", effect_abs=2.5, ci_abs_low=2.0, ci_abs_high=3.0)
    unsure = dict(faster, variant="v3", significant=False)
    (trace,) = charts.effect_intervals([faster, slower, unsure], "time_s").data
    assert list(trace.marker.color) == [charts.GOOD, charts.BAD, charts.NEUTRAL]


def test_effect_intervals_use_the_metric_unit_for_means() -> None:
    fig = charts.effect_intervals(METRICS, "time_s")
    (trace,) = fig.data
    assert list(trace.x) == pytest.approx([-2.5]) and "seconds" in fig.layout.xaxis.title.text
    assert list(trace.error_x.array) == pytest.approx([0.5]) and list(trace.error_x.arrayminus) == pytest.approx([0.5])


@pytest.mark.parametrize(("metric", "type_", "value", "expected"), [
    ("task_success", "binomial", 0.125, "+12.5 pp"), ("time_s", "mean", -1.5, "-1.5 s"),
    ("actions", "mean", 2.0, "+2 actions"), ("rating", "mean", 0.4, "+0.4 pts"),
])
def test_format_effect_units(metric: str, type_: str, value: float, expected: str) -> None:
    assert charts.format_effect(value, metric, type_) == expected
    assert charts.format_effect(None, metric, type_) == "—"
    assert charts.format_interval(None, 1.0, metric, type_) == "—"


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
