"""Human evaluations keep arriving after the pipeline is done; their metrics are refreshed on a schedule."""

import dagster as dg
from sqlalchemy import select

from db.models import Playground
from pipelines.jobs import evaluation_job
from pipelines.resources import AppDatabase


def experiments_collecting_evaluations(database: AppDatabase) -> list[str]:
    with database.session() as session:
        query = select(Playground.experiment_id).where(
            Playground.is_active.is_(True), Playground.experiment_id.is_not(None)).distinct()
        return sorted(session.scalars(query))


@dg.schedule(job=evaluation_job, cron_schedule="*/30 * * * *", default_status=dg.DefaultScheduleStatus.RUNNING)
def evaluation_metrics_refresh(context: dg.ScheduleEvaluationContext, database: AppDatabase):  # type: ignore[no-untyped-def]
    """Every 30 minutes: recompute human-evaluation metrics for experiments with an active playground."""
    known = set(context.instance.get_dynamic_partitions("experiments"))
    for experiment_id in experiments_collecting_evaluations(database):
        if experiment_id in known:
            yield dg.RunRequest(run_key=f"{experiment_id}:{context.scheduled_execution_time.isoformat()}",
                                partition_key=experiment_id)
