"""`variantlab worker`: a Celery worker that runs experiment steps sent by runs on the Celery executor.

The worker and the runs read one run config (pipelines/instance/celery_run.yaml, or the file given),
so they agree on the broker and on Celery's settings. Dagster's instance (which PostgreSQL holds the
event log and the pool slots) travels with each step; the app database and the providers come from
this machine's settings, which must name the same shared PostgreSQL as every other process.
"""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import yaml

from cli.errors import UserError

# dagster-celery sends a step to the app's default queue (config_source: task_default_queue), "dagster"
# unless the run config names another: one broker can then serve several deployments (or test runs).
DEFAULT_QUEUE = "dagster"


@dataclass(frozen=True)
class CeleryWorkerConfig:
    """The Celery side of a run config's `execution: config: celery:` block, env vars resolved."""

    broker: str
    backend: str
    config_source: dict[str, Any] = field(default_factory=dict)


def load_worker_config(run_config: Path) -> CeleryWorkerConfig:
    """Validate the run config against the experiment job itself (env vars resolved by Dagster)."""
    if not run_config.is_file():
        raise UserError(f"no run config at {run_config}")
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    from pipelines.definitions import defs

    raw = yaml.safe_load(run_config.read_text()) or {}
    try:
        resolved = dg.validate_run_config(defs().resolve_job_def("experiment_job"), raw)
    except dg.DagsterInvalidConfigError as exc:
        raise UserError(f"{run_config} is not a valid run config: {exc}") from exc
    executor = next(iter(resolved["execution"].values()))
    if "celery" not in executor:
        raise UserError(f"{run_config} does not send steps to Celery (no execution: config: celery:)")
    celery = executor["celery"]
    return CeleryWorkerConfig(broker=celery["broker"], backend=celery["backend"],
                              config_source=dict(celery.get("config_source") or {}))


def worker_argv(config: CeleryWorkerConfig, name: str | None, concurrency: int) -> list[str]:
    """Celery's worker arguments: the runs' queue, a node name unique per worker, `concurrency` step processes."""
    node = f"{name or 'variantlab-' + secrets.token_hex(3)}@%h"
    queue = str(config.config_source.get("task_default_queue", DEFAULT_QUEUE))
    return ["worker", "--loglevel=INFO", f"--hostname={node}", f"--concurrency={concurrency}",
            "--prefetch-multiplier=1", "--queues", queue, "--without-gossip", "--without-mingle"]


def start_worker(config: CeleryWorkerConfig, name: str | None, concurrency: int) -> int:
    """Serve steps until SIGTERM or Ctrl-C (Celery's warm shutdown lets the running step finish)."""
    check_concurrency(concurrency)
    try:
        from dagster_celery.executor import CeleryExecutor
        from dagster_celery.make_app import make_app
        from dagster_celery.tasks import create_task
    except ImportError as exc:
        raise UserError("dagster-celery is not installed: install the extra with `uv sync --extra celery`") from exc
    app = make_app(CeleryExecutor.for_cli(broker=config.broker, backend=config.backend,
                                          config_source=config.config_source).app_args())
    create_task(app)  # the step task (execute_plan) that the Celery executor sends
    app.worker_main(argv=worker_argv(config, name, concurrency))
    return 0


# Each step process runs a stage (a sandbox, a browser panel): more than this on one machine is a typo.
MAX_CONCURRENCY = 64


def check_concurrency(concurrency: int) -> None:
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise UserError(f"--concurrency: {concurrency}; give a whole number of step processes from 1 to "
                        f"{MAX_CONCURRENCY}")


def require_shared_database() -> None:
    from settings import get_settings

    if get_settings().resolved_database_url.startswith("sqlite"):
        # A worker on another machine would write its stages to a file of its own, lost to the run.
        raise UserError("the app database is a SQLite file; workers and runs must share one database: "
                        "set VARIANTLAB_DATABASE_URL to the PostgreSQL every process uses")


def serve(run_config: str | None, name: str | None, concurrency: int) -> int:
    from pipelines.executors import CELERY_RUN_CONFIG

    check_concurrency(concurrency)  # before anything is read: bad input is answered first
    require_shared_database()
    config = load_worker_config(Path(run_config) if run_config else CELERY_RUN_CONFIG)
    return start_worker(config, name, concurrency)
