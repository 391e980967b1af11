"""The pipeline benchmark runs the real pipeline (quick mode) and reports consistent figures."""

import pytest

from cli.bench.pipeline import run

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_quick_pipeline_bench_reports_consistent_figures():
    figures = run(quick=True)
    assert figures["pipeline_ok"] is True
    assert set(figures["stage_seconds"]) >= {"test_flows", "browser_results", "variant_metrics"}
    assert 0 < figures["inside_stages_s"] <= figures["pipeline_wall_s"]
    assert 0 <= figures["orchestration_overhead_fraction"] < 1
    assert figures["sensor_runs_requested"] == figures["sensor_experiments"] + 1  # + the pipeline's own
    assert figures["sensor_tick_max_s"] > 0
