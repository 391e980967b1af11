"""Stage bookkeeping: stage_runs, the experiment's status and its timeline, in their own small
transactions so that a failing stage still leaves an honest record of what happened."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select, update

from db.base import utcnow
from db.experiments import add_event, get_experiment, set_status
from db.models import StageRun
from db.models.enums import STAGES
from db.session import session_scope

# The experiment is complete once the panel metrics name a champion; human evaluations keep coming.
COMPLETING_STAGE = "variant_metrics"


@dataclass
class StageHandle:
    experiment_id: str
    stage: str
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
def tracked_stage(experiment_id: str, stage: str, *, url: str | None = None,
                  dagster_run_id: str | None = None) -> Iterator[StageHandle]:
    """Mark the stage running; on success completed, on any error failed with the message (re-raised)."""
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
        set_status(session, experiment, "running")
        add_event(session, experiment_id, "stage_started", stage=stage, title=f"{stage} started", status="in_progress")
        session.flush()
        handle = StageHandle(experiment_id, stage, run.id, url)
    try:
        yield handle
    except BaseException as exc:
        message = f"{exc.__class__.__name__}: {exc}"[:2000]
        with session_scope(url) as session:
            session.execute(update(StageRun).where(StageRun.id == handle.stage_run_id).values(
                status="failed", error_message=message, completed_at=utcnow()))
            set_status(session, get_experiment(session, experiment_id), "failed", error=f"{stage}: {message}")
            add_event(session, experiment_id, "stage_failed", stage=stage, title=f"{stage} failed",
                      content=message, status="failed")
        raise
    with session_scope(url) as session:
        session.execute(update(StageRun).where(StageRun.id == handle.stage_run_id).values(
            status="completed", progress=100, completed_at=utcnow()))
        add_event(session, experiment_id, "stage_completed", stage=stage, title=f"{stage} completed",
                  status="completed", progress=100)
        experiment = get_experiment(session, experiment_id)
        if STAGES.index(stage) >= STAGES.index(COMPLETING_STAGE):
            set_status(session, experiment, "completed")
        elif experiment.status == "failed":
            set_status(session, experiment, "running")


def latest_stage_runs(session, experiment_id: str) -> dict[str, StageRun]:  # type: ignore[no-untyped-def]
    rows = session.scalars(
        select(StageRun).where(StageRun.experiment_id == experiment_id).order_by(StageRun.started_at)
    )
    return {row.stage: row for row in rows}
