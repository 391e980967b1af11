"""`variantlab run EXP_ID [--stage STAGE]`: materialise stages in-process with a progress display."""

from __future__ import annotations

import threading
import time

import dagster as dg
from rich.console import Console
from sqlalchemy import select

from cli.errors import UserError
from db.experiments import UnknownExperiment, get_experiment
from db.migrate import ensure_schema
from db.models import StageRun
from db.session import session_scope
from pipelines.jobs import MAIN_STAGES

ALL_STAGES = MAIN_STAGES


def stages_to_run(stage: str | None) -> list[str]:
    """All main stages, or the named stage and everything downstream of it."""
    if stage is None:
        return list(MAIN_STAGES)
    if stage not in ALL_STAGES:
        raise UserError(f"unknown stage {stage!r}; choose one of: {', '.join(ALL_STAGES)}")
    return list(MAIN_STAGES[MAIN_STAGES.index(stage):])


def run_experiment(experiment_id: str, stage: str | None, console: Console | None = None) -> int:
    console = console or Console()
    stages = stages_to_run(stage)
    ensure_schema()
    with session_scope() as session:
        try:
            experiment = get_experiment(session, experiment_id)
        except UnknownExperiment as exc:
            raise UserError(str(exc)) from exc
        name = experiment.name
    from pipelines.definitions import defs
    from pipelines.instances import get_instance

    definitions = defs()
    instance = get_instance()
    if experiment_id not in instance.get_dynamic_partitions("experiments"):
        instance.add_dynamic_partitions("experiments", [experiment_id])
    job = definitions.resolve_implicit_global_asset_job_def()
    console.print(f"[bold]{experiment_id}[/] ({name}): {' → '.join(stages)}")
    for position, stage_name in enumerate(stages, start=1):
        started = time.monotonic()
        with _StageProgress(console, experiment_id, stage_name, f"[{position}/{len(stages)}] {stage_name}"):
            result = job.execute_in_process(
                partition_key=experiment_id, instance=instance, raise_on_error=False,
                asset_selection=[dg.AssetKey(stage_name)],
                # Dagster's own step-by-step debug lines would drown the progress display; they stay
                # in the run's event log (and the Dagster UI).
                run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            )
        elapsed = time.monotonic() - started
        if not result.success:
            console.print(f"[red]✗[/] {stage_name} failed after {elapsed:.1f}s: {_failure_message(result)}")
            console.print(f"  fix the cause, then re-run from here: variantlab run {experiment_id} --stage {stage_name}")
            return 1
        console.print(f"[green]✓[/] {stage_name} ({elapsed:.1f}s){_summary(result, stage_name)}")
    return 0


def _failure_message(result: dg.ExecuteInProcessResult) -> str:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None and error.cls_name in ("DagsterExecutionStepExecutionError",):
                error = error.cause
            return error.message.strip().splitlines()[-1] if error.message else error.cls_name
    return "see the Dagster run logs"


def _summary(result: dg.ExecuteInProcessResult, stage_name: str) -> str:
    keys = ("flows", "sessions", "count", "variants", "champion_variant", "task_success_rate")
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        parts = [f"{k}={metadata[k].value}" for k in keys if k in metadata]
        return "  " + ", ".join(parts) if parts else ""
    return ""


class _StageProgress:
    """A live status line; the stage's own progress (stage_runs.progress) is polled from the database."""

    def __init__(self, console: Console, experiment_id: str, stage: str, label: str) -> None:
        self.console, self.experiment_id, self.stage, self.label = console, experiment_id, stage, label
        self._stop = threading.Event()

    def __enter__(self) -> "_StageProgress":
        self._status = self.console.status(self.label)
        self._status.__enter__()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self) -> None:
        while not self._stop.wait(0.5):
            try:
                with session_scope() as session:
                    progress = session.scalars(select(StageRun.progress).where(
                        StageRun.experiment_id == self.experiment_id, StageRun.stage == self.stage,
                        StageRun.status == "running")).first()
            except Exception:  # noqa: BLE001 - a busy database must not break the display
                continue
            pct = f" {progress}%" if progress else ""
            self._status.update(f"{self.label}{pct}  {time.monotonic() - self._started:.0f}s")

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._status.__exit__(None, None, None)
