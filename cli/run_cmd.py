"""`variantlab run EXP_ID [--stage STAGE]`: materialise stages in one in-process run with a live display."""

from __future__ import annotations

import functools
import re
import signal
import threading
import time
import uuid
import warnings
from pathlib import Path
from typing import Self

import dagster as dg
from rich.console import Console
from rich.markup import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from cli.children import descendants, end_processes
from cli.errors import UserError, one_line
from db.base import utcnow
from db.build_summary import build_summary
from db.experiment_playground import (
    STAGES_REPLACING_VARIANTS,
    EvaluationsWouldBeOrphaned,
    guard_variants_with_evaluations,
)
from db.experiments import UnknownExperiment, get_experiment
from db.links import dagster_run, dashboard_page
from db.migrate import ensure_schema
from db.models import StageRun
from db.session import session_scope
from db.stage_names import MAIN_STAGES, Stage
from db.stages import refresh_status
from ids import has_prefix
from pipelines.instances import RecoveredRun, get_instance, process_tags, recover_dead_runs
from pipelines.jobs import experiment_job, job_name_for
from pipelines.tags import experiment_tags
from settings import get_settings


@functools.cache
def _definitions() -> dg.Definitions:
    """The code location (importing every stage and agent takes a few seconds: only when needed)."""
    from pipelines.definitions import defs

    return defs()


def stages_to_run(stage: str | None) -> list[Stage]:
    """Every stage of a run, or the named stage and what depends on it in the experiment job, as
    Dagster's asset graph has it; in the order they run."""
    if stage is None:
        return [Stage(name) for name in MAIN_STAGES]
    if stage not in MAIN_STAGES:
        raise UserError(f"unknown stage {stage!r}; choose one of: {', '.join(MAIN_STAGES)}")
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    graph = _definitions().resolve_asset_graph()
    downstream = (dg.AssetSelection.assets(stage).downstream() & experiment_job.selection).resolve(graph)
    return [Stage(key.to_user_string()) for key in graph.toposorted_asset_keys if key in downstream]


def run_experiment(experiment_id: str, stage: str | None, console: Console | None = None) -> int:
    console = console or Console()
    if not has_prefix(experiment_id, "experiment"):  # before the database is so much as created
        raise UserError(f"{experiment_id!r} is not an experiment id (expected exp_ followed by 16 characters)")
    stages = stages_to_run(stage)
    name = runnable_experiment(experiment_id, stages)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    from cli.run_watch import RunWatch

    instance = get_instance()
    # A run killed earlier (kill -9, OOM) still holds its pool slots and shows as running: end it first.
    on_recovered = functools.partial(_recovered, console)
    on_recovered(recover_dead_runs(instance))
    if experiment_id not in instance.get_dynamic_partitions("experiments"):
        instance.add_dynamic_partitions("experiments", [experiment_id])
    job = _definitions().resolve_job_def(job_name_for(stages))
    console.print(f"[bold]{experiment_id}[/] ({name}): {' → '.join(stages)}")
    run_id = str(uuid.uuid4())
    children_before = descendants()

    def before_exit(why: str) -> None:
        live.stop()
        _mark_interrupted(run_id, why, failed_stage=None)

    # One run for all the stages: Dagster orders them by their dependencies and stops at a failure.
    with (_LiveStages(console, experiment_id, stages) as live,
          RunWatch(console, instance, run_id, before_exit=before_exit, on_recovered=on_recovered) as watch):
        result = job.execute_in_process(
            partition_key=experiment_id, instance=instance, raise_on_error=False, run_id=run_id,
            asset_selection=[dg.AssetKey(s.value) for s in stages],
            tags={**process_tags(), **experiment_tags(experiment_id, name, get_settings())},
            # Dagster's own log lines (a failure is ~100 lines of stack trace) would drown the display;
            # they stay in the run's event log, and a failure's are written out below.
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    if watch.signum is not None and not result.success:
        # A stage's `with` blocks have destroyed its sandboxes; anything else it started ends here.
        end_processes(descendants() - children_before)
        return _stopped(console, instance, result, experiment_id, watch.signum)
    if not result.success:
        failed = _failed_stage(result) or stages[0]
        console.print(f"[red]✗[/] {failed} failed: {escape(_failure_message(result))}")
        console.print(f"  full log: {escape(str(_write_failure_log(result)))}")
        console.print(f"  run {result.run_id}: {dagster_run(get_settings().dagster_url, result.run_id)}")
        console.print(f"  fix the cause, then re-run from there: variantlab run {experiment_id} --stage {failed}")
        return 1
    failed_checks = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    if failed_checks:
        console.print(f"[yellow]![/] checks that did not pass: {', '.join(failed_checks)}")
    _print_outcome(console, experiment_id, stages, result.run_id)
    return 0


def _stopped(console: Console, instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult,
             experiment_id: str, signum: int) -> int:
    """Ctrl-C or SIGTERM reached a running stage, which ended (failed, not retried): the run is canceled."""
    name = signal.Signals(signum).name
    stage = _failed_stage(result)
    run = instance.get_run_by_id(result.run_id)
    if run is not None and run.status != dg.DagsterRunStatus.CANCELED:
        instance.report_run_canceled(run, message=f"Stopped by {name}.")
    _mark_interrupted(result.run_id, f"stopped by {name}", failed_stage=stage)
    where = f"{stage} interrupted; re-run from there: variantlab run {experiment_id} --stage {stage}" if stage \
        else "no stage was interrupted"
    console.print(f"stopped by {name}: run {result.run_id[:8]} canceled, {where}")
    return 128 + signum


def _mark_interrupted(run_id: str, why: str, failed_stage: str | None) -> None:
    """The run's stage rows that a signal ended say so: the stage that failed because of it (its
    row holds Dagster's interruption error) and any still marked running (the process is about to
    end without the stage's own bookkeeping). The experiment's status follows."""
    with session_scope() as session:
        rows = session.scalars(select(StageRun).where(StageRun.dagster_run_id == run_id)).all()
        rows = [r for r in rows if r.status == "running" or (r.status == "failed" and r.stage == failed_stage)]
        for row in rows:
            row.status, row.error_message = "failed", f"interrupted: {why}"
            row.completed_at = row.completed_at or utcnow()
        session.flush()
        for experiment_id in {row.experiment_id for row in rows}:
            refresh_status(session, get_experiment(session, experiment_id))


def _print_outcome(console: Console, experiment_id: str, stages: list[Stage], run_id: str) -> None:
    """What the run came to: how many variants were built (and why not), where to look, and last the
    verdict, which stands for the experiment even when this run did not re-decide it."""
    settings = get_settings()
    with session_scope() as session:
        experiment = get_experiment(session, experiment_id)
        if {Stage.VARIANT_IMPLEMENTATIONS, Stage.BROWSER_RESULTS, Stage.VARIANT_METRICS} & set(stages):
            console.print(f"built: {build_summary(session, experiment_id).line()}")
        verdict = experiment.champion_reason or "none yet (variant_metrics has not run)"
    console.print(f"dashboard: {dashboard_page(settings.dashboard_url, 'comparison', experiment_id)}")
    console.print(f"run {run_id}: {dagster_run(settings.dagster_url, run_id)}")
    console.print(f"verdict: {escape(verdict)}")


def runnable_experiment(experiment_id: str, stages: list[Stage]) -> str:
    """The experiment's name, once it exists and running `stages` on it orphans no evaluations; else a
    one-line UserError. `run` and `dispatch` both ask this before any run starts."""
    ensure_schema()
    with session_scope() as session:
        try:
            name = get_experiment(session, experiment_id).name
        except UnknownExperiment as exc:
            raise UserError(str(exc)) from exc
        _refuse_replacing_evaluated_variants(session, experiment_id, stages)
    return name


def _refuse_replacing_evaluated_variants(session: Session, experiment_id: str, stages: list[Stage]) -> None:
    """Refuse before any stage runs: one line and exit code 2, no Dagster run and nothing recorded. (Each
    of those stages refuses by itself too, for runs started from the Dagster UI.)"""
    replacing = [s for s in stages if s in STAGES_REPLACING_VARIANTS]
    if not replacing:
        return
    try:
        guard_variants_with_evaluations(session, experiment_id, replacing[0])
    except EvaluationsWouldBeOrphaned as exc:
        first_safe = next(s for s in MAIN_STAGES if s not in STAGES_REPLACING_VARIANTS)
        raise UserError(f"{exc} (re-measuring from --stage {first_safe} keeps the variants)") from exc


def _failed_stage(result: dg.ExecuteInProcessResult) -> str | None:
    for event in result.all_events:
        if event.is_step_failure and event.step_key in MAIN_STAGES:
            return event.step_key
    return None


def _failure_message(result: dg.ExecuteInProcessResult) -> str:
    """The cause in one line: a dg.Failure (an error not retried, pipelines/policies.py) says it in its
    description; otherwise the innermost error raised by the stage itself."""
    for event in result.all_events:
        failure = event.step_failure_data if event.is_step_failure else None
        if failure and failure.user_failure_data and failure.user_failure_data.description:
            return one_line(failure.user_failure_data.description)[:500]
        if failure and failure.error:
            error = failure.error
            # The stage's own error under Dagster's wrappers; once retries are used up, under
            # "Exceeded max_retries of N", which says nothing of the cause.
            retries = re.match(r"Exceeded max_retries of (\d+)", error.message or "")
            while error.cause is not None and (error.cls_name in ("DagsterExecutionStepExecutionError",)
                                               or error.message.startswith("Exceeded max_retries")):
                error = error.cause
            lines = error.message.strip().splitlines() if error.message else []
            # "agents.sandbox.base.SandboxError: …" reads as the other causes do: "SandboxError: …".
            cause = re.sub(r"^(\w+\.)+(?=\w+: )", "", one_line(lines[0]))[:500] if lines else error.cls_name
            return f"{cause} (still after {retries[1]} retries)" if retries else cause
    for event in result.all_events:
        if event.event_type_value == "PIPELINE_FAILURE" and event.message:
            return one_line(event.message)[:500]
    return "see the Dagster run logs"


def _write_failure_log(result: dg.ExecuteInProcessResult) -> Path:
    """Every failed step's full error (causes and stack traces), where the one-line message points."""
    path = get_settings().resolved_data_dir / "logs" / f"{result.run_id}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = [f"run {result.run_id}"]
    for event in result.all_events:
        error = event.step_failure_data.error if event.is_step_failure else \
            event.step_retry_data.error if event.is_step_up_for_retry else None
        if error is not None:
            parts.append(f"--- {event.step_key}: {event.event_type_value}\n{error.to_string()}")
        elif event.event_type_value == "PIPELINE_FAILURE":
            parts.append(f"--- run failed: {event.message}")
    path.write_text("\n\n".join(parts) + "\n")
    return path


def _recovered(console: Console, runs: list[RecoveredRun]) -> None:
    """Say what was recovered; the stage rows of a run whose process died say so now, not only when
    the stage next runs."""
    for run in runs:
        console.print(run.line())
    reasons = {run.run_id: run.reason for run in runs if run.marked_failed}
    if not reasons:
        return
    with session_scope() as session:
        rows = session.scalars(select(StageRun).where(StageRun.dagster_run_id.in_(reasons),
                                                      StageRun.status == "running")).all()
        for row in rows:
            row.status, row.completed_at = "failed", utcnow()
            row.error_message = f"interrupted: the run was killed ({reasons[row.dagster_run_id]})"
        session.flush()
        for experiment_id in {row.experiment_id for row in rows}:
            refresh_status(session, get_experiment(session, experiment_id))


class _LiveStages:
    """A status line for the running stage and a ✓/✗ line per finished one, read from stage_runs."""

    def __init__(self, console: Console, experiment_id: str, stages: list[Stage]) -> None:
        self.console, self.experiment_id, self.stages = console, experiment_id, stages
        self._stop = threading.Event()
        self._reported: set[str] = set()

    def __enter__(self) -> Self:
        self._since = _now_rows(self.experiment_id)
        self._status = self.console.status("starting …")
        self._status.__enter__()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self) -> None:
        while not self._stop.wait(0.4):
            self._refresh()

    def _refresh(self) -> None:
        try:
            with session_scope() as session:
                rows = session.scalars(select(StageRun).where(
                    StageRun.experiment_id == self.experiment_id, StageRun.id.not_in(self._since))
                    .order_by(StageRun.started_at)).all()
                rows = [(r.stage, r.status, r.progress, r.started_at, r.completed_at, r.error_message) for r in rows]
        except Exception:  # noqa: BLE001 - a busy database must not break the display
            return
        for stage, status, progress, started, completed, error in rows:
            position = f"[{self.stages.index(stage) + 1}/{len(self.stages)}]" if stage in self.stages else ""
            if status == "running":
                elapsed = time.time() - started.timestamp()
                pct = f" {progress}%" if progress else ""
                self._status.update(f"{position} {stage}{pct}  {elapsed:.0f}s")
            elif stage + str(started) not in self._reported:
                self._reported.add(stage + str(started))
                seconds = (completed - started).total_seconds() if completed else 0.0
                mark = "[green]✓[/]" if status == "completed" else "[red]✗[/]"
                self.console.print(f"{mark} {position} {stage} ({seconds:.1f}s)" + (f"  {escape(one_line(error)[:120])}" if error else ""))

    def stop(self) -> None:
        """Stop the display (the spinner gives the terminal its cursor back)."""
        self._stop.set()
        self._status.stop()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._refresh()
        self._status.__exit__(None, None, None)


def _now_rows(experiment_id: str) -> list[str]:
    with session_scope() as session:
        return list(session.scalars(select(StageRun.id).where(StageRun.experiment_id == experiment_id)))
