"""The Dagster instance configs: production loads against a real PostgreSQL and gets its pool limits;
both have the daemon monitor runs."""

import shutil
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy.engine import make_url

from pipelines.instances import EMBEDDED_CONFIG, POOL_LIMITS, PRODUCTION_CONFIG, apply_pool_limits


@pytest.mark.postgres
def test_production_config_on_postgres(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = make_url(pg_url)
    # production.yaml names its PostgreSQL through these ({"env": ...}): Dagster reads them there.
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

    # get_instance is the CLI's, which is configured by the environment: DAGSTER_HOME, else the data dir.
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("VARIANTLAB_DATA_DIR", str(tmp_path / "data"))
    instance = get_instance()
    try:
        assert (tmp_path / "data" / "dagster" / "dagster.yaml").exists()
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert set(POOL_LIMITS) <= set(instance.event_log_storage.get_concurrency_keys())
    finally:
        instance.dispose()


def _load(config: Path, home: Path) -> dg.DagsterInstance:
    """The config as an instance's dagster.yaml; storage on SQLite in `home` (the rest as written), so
    the production file loads without a PostgreSQL server too."""
    import yaml

    settings = yaml.safe_load(config.read_text())
    if "storage" in settings:
        settings["storage"] = {"sqlite": {"base_dir": str(home)}}
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(settings))
    return dg.DagsterInstance.from_config(str(home))


@pytest.mark.parametrize("config", [EMBEDDED_CONFIG, PRODUCTION_CONFIG], ids=["embedded", "production"])
def test_the_daemon_monitors_runs(config: Path, tmp_path: Path):
    """Run monitoring fails runs that never start or never finish canceling, and gives back the pool
    slots a killed or canceled run still holds; the daemon runs it because the instance asks for it."""
    instance = _load(config, tmp_path / "dagster")
    try:
        assert instance.run_monitoring_enabled
        assert "MONITORING" in instance.get_required_daemon_types()
        assert 60 <= instance.run_monitoring_start_timeout_seconds <= 900
        assert 60 <= instance.run_monitoring_cancel_timeout_seconds <= 600
        assert 0 < instance.run_monitoring_settings["free_slots_after_run_end_seconds"] <= 300
    finally:
        instance.dispose()
