"""`variantlab dispatch EXP_ID [--stage STAGE]`: one run of the experiment whose steps Celery workers run.

This process orchestrates (it holds the pool slots and sends each step when its inputs are ready);
`variantlab worker` processes, on this machine or others, execute the steps. Both sides share the
Dagster instance (PostgreSQL storage: DAGSTER_HOME) and the app database (VARIANTLAB_DATABASE_URL).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import dagster as dg
import yaml
from rich.console import Console
from rich.markup import escape
from sqlalchemy import select

from cli.errors import UserError, one_line
from cli.run_cmd import runnable_experiment, stages_to_run
from cli.worker_cmd import load_worker_config, require_shared_database
from db.base import utcnow
from db.build_summary import build_summary
from db.experiments import get_experiment
from db.models import StageRun
from db.session import session_scope
from db.stages import refresh_status
from ids import has_prefix


def dispatch_experiment(experiment_id: str, stage: str | None, run_config_path: str | None,
                        console: Console | None = None) -> int:
    from pipelines.executors import CELERY_RUN_CONFIG

    console = console or Console()
    run_config = Path(run_config_path) if run_config_path else CELERY_RUN_CONFIG
    if not has_prefix(experiment_id, "experiment"):
        raise UserError(f"{experiment_id!r} is not an experiment id (expected exp_ followed by 16 characters)")
    stages = stages_to_run(stage)
    require_shared_database()
    load_worker_config(run_config)  # refuses a file that does not send steps to Celery, before any run
    name = runnable_experiment(experiment_id, stages)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    try:
        from celery.exceptions import DuplicateTaskNameWarning
    except ImportError as exc:
        raise UserError("dagster-celery is not installed: install the extra with `uv sync --extra celery`") from exc
    # dagster-celery registers its step task anew for every step it sends; the first one is used.
    warnings.filterwarnings("ignore", category=DuplicateTaskNameWarning)
    from dagster._core.storage.runs import SqliteRunStorage

    from pipelines.executors import experiment_job_def
    from pipelines.hooks import step_attempts
    from pipelines.instances import get_instance, process_tags

    instance = get_instance()
    if isinstance(instance.run_storage, SqliteRunStorage):
        raise UserError(f"the Dagster instance in {instance.root_directory} keeps its runs in SQLite files, which "
                        "workers elsewhere cannot reach: use pipelines/instance/production.yaml (PostgreSQL)")
    if experiment_id not in instance.get_dynamic_partitions("experiments"):
        instance.add_dynamic_partitions("experiments", [experiment_id])
    console.print(f"[bold]{experiment_id}[/] ({name}): {' → '.join(stages)}, steps on the Celery workers")
    config: dict[str, Any] = yaml.safe_load(run_config.read_text())
    # Dagster's own log lines stay in the run's event log; the summary below is what matters here.
    config.setdefault("loggers", {"console": {"config": {"log_level": "ERROR"}}})
    result = dg.execute_job(
        dg.reconstructable(experiment_job_def), instance, run_config=config,
        tags={**process_tags(), "dagster/partition": experiment_id},
        asset_selection=[dg.AssetKey(s.value) for s in stages],
    )
    for attempt in step_attempts(instance, result.run_id):
        if attempt.finished:
            console.print(f"  {attempt.step_key}: pid {attempt.pid} on {attempt.host} (worker {attempt.worker})")
        else:  # taken by a worker that died: the broker gave the step to another worker, or the run failed
            console.print(f"  {attempt.step_key}: worker {attempt.worker} was lost during the step")
    if not result.success:
        reason = _failure_message(result)
        _fail_orphaned_stages(result.run_id, reason)
        console.print(f"[red]✗[/] run {result.run_id[:8]} failed: {escape(reason)}")
        return 1
    with session_scope() as session:
        experiment = get_experiment(session, experiment_id)
        console.print(f"built: {build_summary(session, experiment_id).line()}")
        if experiment.champion_reason:
            console.print(f"verdict: {experiment.champion_reason}")
    return 0


def _failure_message(result: dg.ExecuteJobResult) -> str:
    """A step's own failure when there is one, else why the run failed: a step process that died under
    a live worker (the OOM killer) is Celery's WorkerLostError, named with the step and the signal."""
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            return one_line(event.step_failure_data.error.message)[:500]
    for event in result.all_events:
        data = event.job_failure_data if event.is_run_failure else None
        error = data.error if data else None
        while error is not None and error.cause is not None and "celery" not in error.message:
            error = error.cause
        if error is not None:
            return one_line(error.message)[:500]
        if event.is_run_failure and event.message:
            return one_line(event.message)[:500]
    return "see the run's events in the Dagster UI"


def _fail_orphaned_stages(run_id: str, reason: str) -> None:
    """A stage whose process died cannot record its own end: say so now, not only when it next runs."""
    with session_scope() as session:
        rows = session.scalars(select(StageRun).where(StageRun.dagster_run_id == run_id,
                                                      StageRun.status == "running")).all()
        for row in rows:
            row.status, row.completed_at = "failed", utcnow()
            row.error_message = f"interrupted: {reason}"[:2000]
        session.flush()
        for experiment_id in {row.experiment_id for row in rows}:
            refresh_status(session, get_experiment(session, experiment_id))
