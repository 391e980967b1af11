"""Stage bookkeeping: stage_runs, the experiment's status and its timeline, in their own small
transactions so that a failing stage still leaves an honest record of what happened."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.approvals import pipeline_advanced
from db.base import utcnow
from db.experiments import add_event, get_experiment, set_status
from db.models import Experiment, StageRun
from db.session import session_scope
from db.stage_names import Stage

# The experiment is complete once the panel metrics name a champion; human evaluations keep coming.
# Only this stage's run can make it so (see derived_status).
COMPLETING_STAGE = Stage.VARIANT_METRICS


class StageInputMissing(RuntimeError):
    """An upstream stage has not produced what this stage needs (materialise it first).

    Here rather than in assets/ so that pipelines/ (its retry policy) need not import the assets."""


@dataclass
class StageHandle:
    experiment_id: str
    stage: Stage
    stage_run_id: str
    url: str | None

    def progress(self, percent: int, message: str | None = None) -> None:
        with session_scope(self.url) as session:
            session.execute(
                update(StageRun).where(StageRun.id == self.stage_run_id).values(progress=max(0, min(100, percent)))
            )
            if message:
                add_event(session, self.experiment_id, "checkpoint", stage=self.stage, title=message,
                          status="in_progress", progress=max(0, min(100, percent)))


@contextmanager
def tracked_stage(experiment_id: str, stage: Stage, *, url: str | None = None,
                  dagster_run_id: str | None = None) -> Iterator[StageHandle]:
    """Mark the stage running; on success completed, on any error failed with the message (re-raised).
    After each of these the experiment's status is re-read off the latest run of every stage."""
    with session_scope(url) as session:
        experiment = get_experiment(session, experiment_id)
        # A run killed mid-stage left its row "running"; it is superseded now.
        session.execute(
            update(StageRun)
            .where(StageRun.experiment_id == experiment_id, StageRun.stage == stage, StageRun.status == "running")
            .values(status="failed", error_message="superseded: the run was interrupted", completed_at=utcnow())
        )
        run = StageRun(experiment_id=experiment_id, stage=stage, status="running", started_at=utcnow(),
                       dagster_run_id=dagster_run_id)
        session.add(run)
        session.flush()
        add_event(session, experiment_id, "stage_started", stage=stage, title=f"{stage} started",
                  status="in_progress")
        refresh_status(session, experiment)
        pipeline_advanced(session, experiment, stage, "started")
        handle = StageHandle(experiment_id, stage, run.id, url)
    try:
        yield handle
    except BaseException as exc:
        message = f"{exc.__class__.__name__}: {exc}"[:2000]
        with session_scope(url) as session:
            session.execute(update(StageRun).where(StageRun.id == handle.stage_run_id).values(
                status="failed", error_message=message, completed_at=utcnow()))
            add_event(session, experiment_id, "stage_failed", stage=stage, title=f"{stage} failed",
                      content=message, status="failed")
            refresh_status(session, get_experiment(session, experiment_id))
        raise
    with session_scope(url) as session:
        session.execute(update(StageRun).where(StageRun.id == handle.stage_run_id).values(
            status="completed", progress=100, completed_at=utcnow()))
        add_event(session, experiment_id, "stage_completed", stage=stage, title=f"{stage} completed",
                  status="completed", progress=100)
        experiment = get_experiment(session, experiment_id)
        refresh_status(session, experiment)
        pipeline_advanced(session, experiment, stage, "completed")


def refresh_status(session: Session, experiment: Experiment) -> None:
    """Set the experiment's status (and error) to what the latest run of each stage says; unchanged
    status and error add no timeline event."""
    status, error = derived_status(latest_stage_runs(session, experiment.id), experiment.status)
    if (status, error) != (experiment.status, experiment.error_message):
        set_status(session, experiment, status, error=error)


def derived_status(latest: dict[str, StageRun], current: str) -> tuple[str, str | None]:
    """(status, error) from the latest run of each stage. Only the latest run counts: a retry that
    succeeded, or a stage re-materialised after a failure, supersedes the failure.

    - failed while any stage's latest run failed (the error names the most recent such failure), so
      a scheduled evaluation_metrics refresh cannot pass off a broken experiment as completed;
    - running while a stage runs;
    - completed once COMPLETING_STAGE's latest run completed (a failure since would be a latest run);
    - otherwise part-way with nothing running: what it was, unless that was running or failed, which
      were read off runs now superseded; then pending (more stages to run).
    """
    failed = sorted((run for run in latest.values() if run.status == "failed"), key=lambda r: r.started_at)
    if failed:
        return "failed", f"{failed[-1].stage}: {failed[-1].error_message}"
    if any(run.status == "running" for run in latest.values()):
        return "running", None
    completing = latest.get(COMPLETING_STAGE)
    if completing is not None and completing.status == "completed":
        return "completed", None
    return ("pending" if current in ("running", "failed") else current), None


def latest_stage_runs(session, experiment_id: str) -> dict[str, StageRun]:  # type: ignore[no-untyped-def]
    rows = session.scalars(
        select(StageRun).where(StageRun.experiment_id == experiment_id).order_by(StageRun.started_at)
    )
    return {row.stage: row for row in rows}
