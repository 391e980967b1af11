"""Figure builders, tested as plain functions (no Streamlit runtime)."""

from __future__ import annotations

import pytest

from analysis.bradley_terry import ArmStrength
from dashboard import charts
from dashboard.loaded import ArmValue

ARMS = ["control", "v1", "v2", "v3"]
VALUES = [  # data.arm_values output: v2 at 0 % like the control, v3 never measured
    ArmValue(arm="control", metric="task_success", n=16, mean=0.0, ci_low=0.0, ci_high=0.194),
    ArmValue(arm="v1", metric="task_success", n=16, mean=1.0, ci_low=0.806, ci_high=1.0),
    ArmValue(arm="v2", metric="task_success", n=16, mean=0.0, ci_low=0.0, ci_high=0.194),
    ArmValue(arm="v1", metric="time_s", n=1, mean=4.2, ci_low=None, ci_high=None,
             note="a single observation: no interval yet"),
]


def test_arm_values_draw_every_arm_including_those_at_zero_and_unmeasured() -> None:
    fig = charts.arm_values(VALUES, "task_success", ARMS, title="Task success per arm", type_="binomial")
    (trace,) = fig.data
    assert list(trace.y) == ["control: 0 % (0/16)", "v1: 100 % (16/16)", "v2: 0 % (0/16)", "v3: not measured"]
    assert list(trace.x) == pytest.approx([0.0, 100.0, 0.0, None])
    assert list(trace.text) == ["0 % (0/16)", "100 % (16/16)", "0 % (0/16)", ""]
    assert list(trace.error_x.array) == pytest.approx([19.4, 0.0, 19.4, 0.0])
    assert list(trace.error_x.arrayminus) == pytest.approx([0.0, 19.4, 0.0, 0.0])
    assert trace.marker.color[0] == charts.NEUTRAL and trace.marker.color[1] == charts.ACCENT


def test_arm_values_say_why_an_arm_has_no_interval() -> None:
    (trace,) = charts.arm_values(VALUES, "time_s", ["control", "v1"], title="t", type_="mean", unit="s").data
    assert list(trace.y) == ["control: not measured", "v1: 4.2 s (n = 1); a single observation: no interval yet"]
    assert trace.text[1] == "4.2 s (n = 1); a single observation: no interval yet"
    fig = charts.arm_values(VALUES, "lcp_s", ARMS, title="t", type_="mean")
    assert not fig.data and fig.layout.annotations[0].text == "not measured on any arm yet"


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
    rows = [ArmValue(arm="a", metric="rating", n=9, mean=4.0, ci_low=3.5, ci_high=4.6),
            ArmValue(arm="c", metric="rating", n=1, mean=3.0, ci_low=None, ci_high=None,
                     note="a single observation: no interval yet")]
    (trace,) = charts.interval_bars(rows, value="mean", title="t", axis_title="y").data
    assert list(trace.x) == ["a", "c<br>a single observation: no interval yet"]
    assert list(trace.error_y.array) == pytest.approx([0.6, 0.0])
    assert list(trace.error_y.arrayminus) == pytest.approx([0.5, 0.0])
    ranking = [ArmStrength(arm="v1", strength=0.7, ci_low=0.6, ci_high=0.8, rank=1, wins=7.5, comparisons=10),
               ArmStrength(arm="control", strength=0.3, ci_low=0.2, ci_high=0.4, rank=2, wins=2.5, comparisons=10)]
    (trace,) = charts.interval_bars(ranking, value="strength", title="t", axis_title="y").data
    assert list(trace.x) == ["v1", "control"] and list(trace.y) == pytest.approx([0.7, 0.3])
    assert list(trace.error_y.array) == pytest.approx([0.1, 0.1])
    assert not charts.interval_bars([], value="mean", title="t", axis_title="y").data
    (bars,) = charts.log_levels({"error": 2, "info": 5, "debug": 0}).data
    assert list(bars.x) == ["info", "error"] and list(bars.y) == [5, 2]
