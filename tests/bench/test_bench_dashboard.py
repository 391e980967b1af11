"""The dashboard benchmark runs end to end on its quick database and reports every view."""

from __future__ import annotations

from cli.bench import dashboard


def test_quick_dashboard_bench_reports_each_view() -> None:
    result = dashboard.run(quick=True)
    assert result["experiments"] == 10 and result["variants"] == 50
    assert 9_000 <= result["evaluation_rows"] <= 10_000
    assert set(result["view_median_s"]) == set(dashboard.VIEWS)
    assert all(isinstance(v, float) and v > 0 for v in result["view_median_s"].values())  # raw, never clipped
    assert result["slowest_s"] == max(result["view_median_s"].values())
    assert result["all_under_target"] == (result["slowest_s"] < result["target_s"])


def test_quick_dashboard_bench_reports_rerun_apart_from_startup() -> None:
    """A page view is a rerun on a started app; AppTest's own start-up is reported beside it, not in it."""
    result = dashboard.run(quick=True)
    assert set(result["view_first_run_s"]) == set(dashboard.VIEWS)
    assert result["apptest_empty_rerun_s"] > 0 and result["apptest_empty_first_run_s"] > 0
    assert len(result["load_average"]) == 3
