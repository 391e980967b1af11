"""New experiments become partitions and runs, each exactly once (the cursor remembers)."""

import datetime as dt
import json

import dagster as dg
from sqlalchemy import select

from db.base import UTCDateTime
from db.models import Experiment
from pipelines.jobs import experiment_job
from pipelines.partitions import experiments_partitions
from pipelines.resources import AppDatabase

BATCH = 200
LOOKBACK = dt.timedelta(minutes=10)


def _after(cursor: str | None) -> tuple[str, str] | None:
    if not cursor:
        return None
    data = json.loads(cursor)
    return data["created_at"], data["id"]


def new_experiments_after(database: AppDatabase, cursor: str | None) -> list[tuple[str, str]]:
    """(id, created_at iso) of experiments created after the cursor, oldest first."""
    query = select(Experiment.id, Experiment.created_at).order_by(Experiment.created_at, Experiment.id).limit(BATCH)
    after = _after(cursor)
    if after:
        # created_at is stamped before commit, so a slow transaction can commit an experiment that is
        # older than one already seen: look back a while, and let the known partitions dedupe.
        created = UTCDateTime().process_bind_param(_parse(after[0]) - LOOKBACK, None)
        query = query.where(Experiment.created_at >= created)
    with database.session() as session:
        return [(row.id, row.created_at.isoformat()) for row in session.execute(query)]


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


@dg.sensor(job=experiment_job, minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING)
def new_experiments_sensor(context: dg.SensorEvaluationContext, database: AppDatabase) -> dg.SensorResult:
    """Adds a partition and requests a full run for every experiment not seen before."""
    fresh = new_experiments_after(database, context.cursor)
    if not fresh:
        return dg.SensorResult(skip_reason="no new experiments")
    known = set(context.instance.get_dynamic_partitions(experiments_partitions.name))
    ids = [exp_id for exp_id, _ in fresh if exp_id not in known]
    last_id, last_created = fresh[-1]
    cursor = json.dumps({"created_at": last_created, "id": last_id})
    if not ids:
        return dg.SensorResult(skip_reason="no new experiments", cursor=cursor)
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=exp_id, partition_key=exp_id) for exp_id in ids],
        dynamic_partitions_requests=[experiments_partitions.build_add_request(ids)],
        cursor=cursor,
    )
