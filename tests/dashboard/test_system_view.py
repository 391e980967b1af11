"""The System page: its activity chart draws what ran, it follows the chosen experiment, it links runs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.system_charts import MIN_BAR_SHARE, RECENT, stage_activity
from db.base import utcnow
from db.models import StageRun
from db.session import session_scope
from tests.dashboard.conftest import APP

T0 = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _run(stage: str, status: str, start_s: float, end_s: float | None, **extra: Any) -> dict[str, Any]:
    return {"experiment": "shop-find", "stage": stage, "status": status, "error_message": None,
            "started_at": T0 + dt.timedelta(seconds=start_s),
            "completed_at": None if end_s is None else T0 + dt.timedelta(seconds=end_s), **extra}


def test_each_stage_run_is_a_bar_from_its_start_to_its_end() -> None:
    runs = [_run("test_flows", "completed", 0, 60), _run("control_analysis", "completed", 60, 300),
            _run("control_analysis", "failed", 400, 420, error_message="SandboxError: no preview"),
            _run("variant_suggestions", "running", 500, None)]
    fig = stage_activity(runs, now=T0 + dt.timedelta(seconds=560))
    bars = {trace.name: trace for trace in fig.data}
    assert set(bars) == {"completed", "failed", "running"}
    assert list(bars["completed"].y) == ["test_flows", "control_analysis"]
    assert list(bars["completed"].x) == [60_000, 240_000]  # milliseconds on a date axis
    assert list(bars["running"].x) == [60_000]  # still going: it reaches now
    assert "SandboxError: no preview" in bars["failed"].customdata[0][3]
    # Pipeline order, first stage on top.
    assert list(fig.layout.yaxis.categoryarray) == ["variant_suggestions", "control_analysis", "test_flows"]


def test_a_short_run_beside_long_ones_stays_visible() -> None:
    fig = stage_activity([_run("test_flows", "completed", 0, 0.2), _run("control_analysis", "completed", 1, 3600)],
                         now=T0 + dt.timedelta(hours=2))
    short = fig.data[0].x[0]
    assert short == (3600 * 1000) * MIN_BAR_SHARE


def test_the_view_opens_on_the_latest_burst_of_runs() -> None:
    old = _run("test_flows", "completed", -2 * RECENT.total_seconds(), -2 * RECENT.total_seconds() + 30)
    fig = stage_activity([old, _run("test_flows", "completed", 0, 30), _run("variant_metrics", "completed", 30, 40)],
                         now=T0 + dt.timedelta(seconds=100))
    low, high = (dt.datetime.fromisoformat(str(x)) for x in fig.layout.xaxis.range)
    assert low > T0 - dt.timedelta(minutes=1) and high < T0 + dt.timedelta(minutes=1)
    assert len(fig.data[0].y) == 3  # the older run is still there, a zoom-out away


def test_nothing_yet_says_so() -> None:
    fig = stage_activity([], now=T0)
    assert not fig.data and fig.layout.annotations[0].text == "nothing has run yet"


def _system(seeded: dict[str, Any], experiment_id: str) -> AppTest:
    """The System page as an analyst who chose `experiment_id` on another page."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["user_id"] = seeded["users"]["analyst"]
    at.session_state["experiment_id"] = experiment_id
    at.run()
    return at.switch_page("views/system.py").run()


def _activity(at: AppTest) -> dict[str, list[str]]:
    """Stages per outcome, as the activity chart draws them."""
    spec = json.loads(next(iter(at.get("plotly_chart"))).proto.spec)
    assert spec["layout"]["title"]["text"] == "Stage runs"
    return {trace["name"]: trace["y"] for trace in spec["data"]}


def test_the_page_follows_the_chosen_experiment_and_links_its_runs(seeded: dict[str, Any]) -> None:
    at = _system(seeded, seeded["failed_experiment_id"])
    assert not at.exception
    picker = next(s for s in at.selectbox if s.label == "Experiment")
    assert picker.value == seeded["failed_experiment_id"]
    table = at.dataframe[0].value
    assert list(table["experiment"]) == ["shop-checkout"]
    assert list(table["dagster run"]) == ["http://127.0.0.1:3000/runs/run-failed"]
    assert _activity(at) == {"failed": ["control_analysis"]}

    picker.set_value("").run()  # "all" is still a choice
    assert not at.exception
    assert set(at.dataframe[0].value["experiment"]) == {"shop-find", "shop-checkout"}
    assert sorted(_activity(at)) == ["completed", "failed"]


def test_the_activity_chart_shows_a_rerun_right_after_it(seeded: dict[str, Any]) -> None:
    at = _system(seeded, seeded["experiment_id"])
    assert _activity(at)["completed"].count("variant_metrics") == 1
    with session_scope(seeded["url"]) as s:
        s.add(StageRun(experiment_id=seeded["experiment_id"], stage="variant_metrics", status="completed",
                       progress=100, dagster_run_id="rerun", started_at=utcnow() - dt.timedelta(seconds=5),
                       completed_at=utcnow()))
    st.cache_data.clear()
    at.run()
    assert _activity(at)["completed"].count("variant_metrics") == 2
