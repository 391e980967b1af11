"""The schedule refreshes human-evaluation metrics only where a playground is still collecting."""

import datetime as dt

import dagster as dg

from db.experiment_playground import ensure_experiment_playground
from db.models import Playground, Variant
from db.session import session_scope
from pipelines.resources import AppDatabase, AppSettings
from pipelines.schedules import evaluation_metrics_refresh
from pipelines.tags import EXPERIMENT_NAME_TAG
from tests.pipelines.conftest import make_experiment


def _tick(instance: dg.DagsterInstance, url: str, settings: AppSettings | None = None) -> list[dg.RunRequest]:
    resources = {"database": AppDatabase(url=url), "settings": settings or AppSettings()}
    # A context manager, closed here: to build the resources, the context opens an instance of its own
    # from the instance's ref, and opening it publishes its state storage (a context variable that
    # definitions loading reads) until the context closes. Left open, its clean-up runs whenever the
    # garbage collector gets to it and puts back the storage it replaced, instance_for_test's, whose
    # instance is gone by then: the next definitions load in the process failed on that dead weakref.
    with dg.build_schedule_context(instance=instance, resources=resources,
                                   scheduled_execution_time=dt.datetime(2026, 11, 22, 12, 30)) as context:
        return list(evaluation_metrics_refresh(context))


def test_schedule_requests_runs_for_active_playgrounds_only(app_url: str):
    collecting, closed, no_playground = (make_experiment(app_url) for _ in range(3))
    with session_scope(app_url) as session:
        for experiment_id in (collecting, closed):
            session.add_all([Variant(experiment_id=experiment_id, type="control", key="control"),
                             Variant(experiment_id=experiment_id, type="experiment", key="v1")])
            session.flush()
            ensure_experiment_playground(session, experiment_id)
        session.query(Playground).filter(Playground.experiment_id == closed).update({"is_active": False})
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("experiments", [collecting, closed, no_playground])
        requests = _tick(instance, app_url)
    assert [r.partition_key for r in requests] == [collecting]
    assert requests[0].run_key.startswith(collecting)
    assert requests[0].tags[EXPERIMENT_NAME_TAG] == "shop"  # the partition's name beside its bare id


def test_the_schedules_runs_take_the_scheduled_run_config(app_url: str, tmp_path):
    experiment_id = make_experiment(app_url)
    with session_scope(app_url) as session:
        session.add_all([Variant(experiment_id=experiment_id, type="control", key="control"),
                         Variant(experiment_id=experiment_id, type="experiment", key="v1")])
        session.flush()
        ensure_experiment_playground(session, experiment_id)
    config = tmp_path / "run.yaml"
    config.write_text("execution:\n  config:\n    multiprocess:\n      max_concurrent: 2\n")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("experiments", [experiment_id])
        (request,) = _tick(instance, app_url, AppSettings(scheduled_run_config=str(config)))
    assert request.run_config == {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
