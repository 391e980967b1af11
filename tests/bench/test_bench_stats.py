"""The stats benchmark on its quick setting: real figures from a throwaway PostgreSQL database."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from cli.bench import stats as bench
from cli.errors import UserError


def test_quick_run_reports_figures_and_drops_its_database(pg_server: str) -> None:
    result = bench.run(quick=True)
    assert (result["rows"], result["sessions"], result["arms"]) == (20_000, 5_000, 10)
    # 10 rating rows plus 10 arms x (3 + 5) options; each of 9 arms is compared on those 9 metrics
    assert result["metric_rows"] == 90 and result["arm_comparisons"] == 9 * 9
    assert result["bt_games"] == result["testers"] * 45  # every tester rated every pair of arms
    assert len(result["runs_seconds"]) == bench.REPEATS and all(t > 0 for t in result["runs_seconds"])
    # each run's total includes its SQL and its Bradley-Terry time, so the medians are ordered too
    assert 0 < result["median_sql_seconds"] <= result["median_seconds"]
    assert 0 < result["median_bradley_terry_seconds"] <= result["median_analysis_seconds"] <= result["median_seconds"]
    assert result["peak_rss_mb"] > 0 and result["srm_flagged"] is False
    assert result["load_average_1m"] >= 0
    engine = create_engine(pg_server)
    with engine.connect() as conn:
        left = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": result["database"]}).all()
    engine.dispose()
    assert left == []


def test_unreachable_server_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:1/postgres")
    with pytest.raises(UserError, match="not reachable"):
        bench.run(quick=True)
