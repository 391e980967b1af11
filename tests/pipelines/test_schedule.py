"""The schedule refreshes human-evaluation metrics only where a playground is still collecting."""

import datetime as dt

import dagster as dg

from db.experiment_playground import ensure_experiment_playground
from db.models import Playground, Variant
from db.session import session_scope
from pipelines.resources import AppDatabase
from pipelines.schedules import evaluation_metrics_refresh
from pipelines.tags import EXPERIMENT_NAME_TAG
from settings import get_settings
from tests.pipelines.conftest import make_experiment


def test_schedule_requests_runs_for_active_playgrounds_only(app_db: str):
    collecting, closed, no_playground = (make_experiment(app_db) for _ in range(3))
    with session_scope(app_db) as session:
        for experiment_id in (collecting, closed):
            session.add_all([Variant(experiment_id=experiment_id, type="control", key="control"),
                             Variant(experiment_id=experiment_id, type="experiment", key="v1")])
            session.flush()
            ensure_experiment_playground(session, experiment_id)
        session.query(Playground).filter(Playground.experiment_id == closed).update({"is_active": False})
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("experiments", [collecting, closed, no_playground])
        context = dg.build_schedule_context(instance=instance, resources={"database": AppDatabase()},
                                            scheduled_execution_time=dt.datetime(2026, 11, 22, 12, 30))
        requests = list(evaluation_metrics_refresh(context))
    assert [r.partition_key for r in requests] == [collecting]
    assert requests[0].run_key.startswith(collecting)
    assert requests[0].tags[EXPERIMENT_NAME_TAG] == "shop"  # the partition's name beside its bare id


def test_the_schedules_runs_take_the_scheduled_run_config(app_db: str, monkeypatch, tmp_path):
    experiment_id = make_experiment(app_db)
    with session_scope(app_db) as session:
        session.add_all([Variant(experiment_id=experiment_id, type="control", key="control"),
                         Variant(experiment_id=experiment_id, type="experiment", key="v1")])
        session.flush()
        ensure_experiment_playground(session, experiment_id)
    config = tmp_path / "run.yaml"
    config.write_text("execution:\n  config:\n    multiprocess:\n      max_concurrent: 2\n")
    monkeypatch.setenv("VARIANTLAB_SCHEDULED_RUN_CONFIG", str(config))
    get_settings.cache_clear()
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("experiments", [experiment_id])
        context = dg.build_schedule_context(instance=instance, resources={"database": AppDatabase()},
                                            scheduled_execution_time=dt.datetime(2026, 11, 22, 12, 30))
        (request,) = evaluation_metrics_refresh(context)
    assert request.run_config == {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
