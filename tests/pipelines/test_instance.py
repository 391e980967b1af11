"""The production Dagster instance config loads against a real PostgreSQL and gets its pool limits."""

import shutil
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy.engine import make_url

from pipelines.instances import POOL_LIMITS, PRODUCTION_CONFIG, apply_pool_limits

pytestmark = pytest.mark.postgres


def test_production_config_on_postgres(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = make_url(pg_url)
    for key, value in {"DAGSTER_PG_HOST": url.host, "DAGSTER_PG_PORT": str(url.port or 5432),
                       "DAGSTER_PG_USER": url.username, "DAGSTER_PG_PASSWORD": url.password or "",
                       "DAGSTER_PG_DB": url.database}.items():
        monkeypatch.setenv(key, value)
    shutil.copyfile(PRODUCTION_CONFIG, tmp_path / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        apply_pool_limits(instance)
        for pool, limit in POOL_LIMITS.items():
            assert instance.event_log_storage.get_concurrency_info(pool).slot_count == limit

        @dg.asset(pool="sandbox")
        def probe() -> int:
            return 1

        assert dg.materialize([probe], instance=instance).success
        assert len(instance.get_runs()) == 1
    finally:
        instance.dispose()


def test_embedded_default_is_sqlite_under_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from pipelines.instances import get_instance

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("VARIANTLAB_DATA_DIR", str(tmp_path / "data"))
    instance = get_instance()
    try:
        assert (tmp_path / "data" / "dagster" / "dagster.yaml").exists()
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert set(POOL_LIMITS) <= set(instance.event_log_storage.get_concurrency_keys())
    finally:
        instance.dispose()


def test_production_config_frees_the_slots_of_ended_runs():
    """Run monitoring (the daemon) gives back the pool slots a killed or canceled run still holds."""
    import yaml

    monitoring = yaml.safe_load(PRODUCTION_CONFIG.read_text())["run_monitoring"]
    assert monitoring["enabled"] and 0 < monitoring["free_slots_after_run_end_seconds"] <= 300
