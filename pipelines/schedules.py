"""Human evaluations keep arriving after the pipeline is done; their metrics are refreshed on a schedule."""

import dagster as dg
from sqlalchemy import select

from db.models import Experiment, Playground
from pipelines.executors import scheduled_run_config
from pipelines.jobs import evaluation_job
from pipelines.resources import AppDatabase, AppSettings
from pipelines.tags import experiment_tags


def experiments_collecting_evaluations(database: AppDatabase) -> dict[str, str]:
    """Id → name of every experiment with an active playground."""
    with database.session() as session:
        query = select(Experiment.id, Experiment.name).join(Playground, Playground.experiment_id == Experiment.id) \
            .where(Playground.is_active.is_(True)).distinct()
        return dict(sorted(session.execute(query).all()))


@dg.schedule(job=evaluation_job, cron_schedule="*/30 * * * *", default_status=dg.DefaultScheduleStatus.RUNNING)
def evaluation_metrics_refresh(context: dg.ScheduleEvaluationContext, database: AppDatabase,  # type: ignore[no-untyped-def]
                               settings: AppSettings):
    """Every 30 minutes: recompute human-evaluation metrics for experiments with an active playground."""
    known = set(context.instance.get_dynamic_partitions("experiments"))
    configured = settings.build()
    run_config = scheduled_run_config(configured.scheduled_run_config)
    for experiment_id, name in experiments_collecting_evaluations(database).items():
        if experiment_id in known:
            yield dg.RunRequest(run_key=f"{experiment_id}:{context.scheduled_execution_time.isoformat()}",
                                partition_key=experiment_id, run_config=run_config,
                                tags=experiment_tags(experiment_id, name, configured))
