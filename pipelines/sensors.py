"""New experiments become partitions and runs, each exactly once (the cursor remembers)."""

import datetime as dt
import json

import dagster as dg
from sqlalchemy import and_, or_, select

from db.base import UTCDateTime
from db.models import Experiment
from pipelines.executors import scheduled_run_config
from pipelines.jobs import experiment_job
from pipelines.partitions import experiments_partitions
from pipelines.resources import AppDatabase, AppSettings
from pipelines.tags import experiment_tags

BATCH = 200
LOOKBACK = dt.timedelta(minutes=10)


def _after(cursor: str | None) -> tuple[str, str] | None:
    if not cursor:
        return None
    data = json.loads(cursor)
    return data["created_at"], data["id"]


def new_experiments_after(database: AppDatabase, cursor: str | None) -> tuple[list[str], list[tuple[str, str]]]:
    """Experiments to consider: (ids in the look-back window behind the cursor, (id, created_at iso)
    of the next batch strictly after it, oldest first). Only the batch moves the cursor."""
    ordered = select(Experiment.id, Experiment.created_at).order_by(Experiment.created_at, Experiment.id)
    after = _after(cursor)
    window: list[str] = []
    with database.session() as session:
        if after:
            created, last_id = UTCDateTime().process_bind_param(_parse(after[0]), None), after[1]
            ordered = ordered.where(or_(Experiment.created_at > created,
                                        and_(Experiment.created_at == created, Experiment.id > last_id)))
            # created_at is stamped before commit, so a slow transaction can commit an experiment
            # older than one already seen: look back a while; the known partitions dedupe.
            since = UTCDateTime().process_bind_param(_parse(after[0]) - LOOKBACK, None)
            window = list(session.scalars(select(Experiment.id).where(
                Experiment.created_at >= since, Experiment.created_at <= created)))
        batch = [(row.id, row.created_at.isoformat()) for row in session.execute(ordered.limit(BATCH))]
    return window, batch


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


@dg.sensor(job=experiment_job, minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING)
def new_experiments_sensor(context: dg.SensorEvaluationContext, database: AppDatabase,
                           settings: AppSettings) -> dg.SensorResult:
    """Adds a partition and requests a full run for every experiment not seen before."""
    window, batch = new_experiments_after(database, context.cursor)
    known = set(context.instance.get_dynamic_partitions(experiments_partitions.name))
    ids = list(dict.fromkeys(exp_id for exp_id in [*window, *(b[0] for b in batch)] if exp_id not in known))
    if batch:
        last_id, last_created = batch[-1]
        cursor = json.dumps({"created_at": last_created, "id": last_id})
    else:
        cursor = context.cursor
    if not ids:
        return dg.SensorResult(skip_reason="no new experiments", cursor=cursor)
    configured = settings.build()
    run_config = scheduled_run_config(configured.scheduled_run_config)
    with database.session() as session:
        names = dict(session.execute(select(Experiment.id, Experiment.name).where(Experiment.id.in_(ids))).all())
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=exp_id, partition_key=exp_id, run_config=run_config,
                                    tags=experiment_tags(exp_id, names.get(exp_id, ""), configured))
                      for exp_id in ids],
        dynamic_partitions_requests=[experiments_partitions.build_add_request(ids)],
        cursor=cursor,
    )
