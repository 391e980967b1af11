"""The agents benchmark runs and reports real figures (no timing assertions: machines differ)."""

from __future__ import annotations

from cli.bench import agents


def test_quick_bench_reports_figures() -> None:
    figures = agents.run(quick=True)
    assert figures["recipe_runs_all_passed"] is True
    assert figures["recipe_runs"] == 2 and figures["tool_loop_steps"] == 15
    assert figures["recipe_search_median_s"] > 0 and figures["tool_loop_overhead_median_ms"] > 0
