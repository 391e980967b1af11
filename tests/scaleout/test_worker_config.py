"""The pieces of scale-out that need no broker: the executor's choices, the worker's configuration
read from the run config (as Dagster validates it), and the refusals."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml
from typer.testing import CliRunner

from cli.errors import UserError
from cli.main import app
from cli.worker_cmd import DEFAULT_QUEUE, load_worker_config, worker_argv
from pipelines.executors import CELERY_RUN_CONFIG, experiment_job_def

BROKER = "pyamqp://guest:guest@rabbit.internal:5672//"


def _execution(run_config: dict) -> dict:
    return dg.validate_run_config(experiment_job_def(), run_config)["execution"]["variantlab"]


def test_runs_that_name_no_executor_keep_dagsters_default():
    assert set(_execution({})) == {"multiprocess"}
    assert "in_process" in _execution({"execution": {"config": {"in_process": {}}}})


def test_the_celery_choice_needs_a_broker():
    with pytest.raises(dg.DagsterInvalidConfigError, match="broker"):
        _execution({"execution": {"config": {"celery": {}}}})
    assert _execution({"execution": {"config": {"celery": {"broker": BROKER}}}})["celery"]["backend"] == "rpc://"


def test_the_worker_reads_the_bundled_run_config(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CELERY_BROKER_URL", BROKER)
    config = load_worker_config(CELERY_RUN_CONFIG)
    assert config.broker == BROKER and config.backend == "rpc://"
    # A lost worker's step goes to another worker only if steps are acknowledged when they end.
    assert config.config_source["task_acks_late"] is True
    assert config.config_source["worker_prefetch_multiplier"] == 1
    assert worker_argv(config, "w1", 1)[worker_argv(config, "w1", 1).index("--queues") + 1] == DEFAULT_QUEUE


def test_the_worker_listens_on_the_run_configs_queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CELERY_BROKER_URL", BROKER)
    config = yaml.safe_load(CELERY_RUN_CONFIG.read_text())
    config["execution"]["config"]["celery"]["config_source"]["task_default_queue"] = "site-a"
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(config))
    argv = worker_argv(load_worker_config(tmp_path / "run.yaml"), "w1", 2)
    assert argv[argv.index("--queues") + 1] == "site-a"
    assert "--hostname=w1@%h" in argv and "--concurrency=2" in argv


def test_a_run_config_without_a_broker_or_without_celery_is_refused(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    with pytest.raises(UserError, match="CELERY_BROKER_URL"):
        load_worker_config(CELERY_RUN_CONFIG)
    (tmp_path / "in_process.yaml").write_text("execution:\n  config:\n    in_process: {}\n")
    with pytest.raises(UserError, match="does not send steps to Celery"):
        load_worker_config(tmp_path / "in_process.yaml")


@pytest.mark.parametrize("command", [["worker"], ["dispatch", "exp_0000000000000000"]])
def test_workers_and_dispatch_refuse_a_sqlite_app_database(command: list[str], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2
    assert "SQLite file; workers and runs must share one database" in result.output
    assert not (tmp_path / "app.db").exists()  # refused before anything was written


@pytest.mark.parametrize("concurrency", ["0", "-3", "1000"])
def test_a_worker_refuses_a_concurrency_out_of_range(concurrency: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    result = CliRunner().invoke(app, ["worker", "--concurrency", concurrency])
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert f"--concurrency: {concurrency}; give a whole number of step processes from 1 to 64" in result.output
    assert not (tmp_path / "app.db").exists()
