"""The sensor turns each new experiment into a partition and a run, exactly once."""

import dagster as dg
import pytest

from db.experiments import create_experiment
from db.session import session_scope
from pipelines.resources import AppDatabase, AppSettings
from pipelines.sensors import new_experiments_sensor
from tests.pipelines.conftest import EXAMPLES


def _tick(instance: dg.DagsterInstance, cursor: str | None, url: str,
          settings: AppSettings | None = None) -> dg.SensorResult:
    resources = {"database": AppDatabase(url=url), "settings": settings or AppSettings()}
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
        return new_experiments_sensor(context)


def test_new_experiments_once_each(app_url: str):
    instance = dg.DagsterInstance.ephemeral()
    with session_scope(app_url) as session:
        first = [create_experiment(session, repo=str(EXAMPLES / "shop"), goal=f"goal {i}").id for i in range(3)]
    result = _tick(instance, None, app_url)
    assert sorted(r.partition_key for r in result.run_requests) == sorted(first)
    assert sorted(result.dynamic_partitions_requests[0].partition_keys) == sorted(first)
    instance.add_dynamic_partitions("experiments", first)

    again = _tick(instance, result.cursor, app_url)
    assert not again.run_requests and again.skip_reason

    with session_scope(app_url) as session:
        later = create_experiment(session, repo=str(EXAMPLES / "signup"), goal="signup").id
    third = _tick(instance, result.cursor, app_url)
    assert [r.partition_key for r in third.run_requests] == [later]
    assert all(r.run_key == r.partition_key for r in third.run_requests)


def test_known_partitions_are_not_requested_again(app_url: str):
    instance = dg.DagsterInstance.ephemeral()
    with session_scope(app_url) as session:
        exp_id = create_experiment(session, repo=str(EXAMPLES / "shop"), goal="g").id
    instance.add_dynamic_partitions("experiments", [exp_id])
    result = _tick(instance, None, app_url)  # a lost cursor must not re-run what already exists
    assert result.run_requests == [] and result.cursor


def test_an_experiment_committed_late_is_still_picked_up(app_url: str):
    """created_at is stamped before commit: an older row can appear after a newer one was seen."""
    import datetime as dt

    from db.models import Experiment

    instance = dg.DagsterInstance.ephemeral()
    with session_scope(app_url) as session:
        seen = create_experiment(session, repo=str(EXAMPLES / "shop"), goal="seen").id
    first = _tick(instance, None, app_url)
    instance.add_dynamic_partitions("experiments", [seen])
    with session_scope(app_url) as session:
        late = create_experiment(session, repo=str(EXAMPLES / "shop"), goal="late")
        late.created_at = session.get(Experiment, seen).created_at - dt.timedelta(seconds=5)
        late_id = late.id
    assert [r.partition_key for r in _tick(instance, first.cursor, app_url).run_requests] == [late_id]


def test_more_than_one_batch_is_paged_through_exactly_once(app_url: str):
    from pipelines.sensors import BATCH

    instance = dg.DagsterInstance.ephemeral()
    with session_scope(app_url) as session:
        created = {create_experiment(session, repo=str(EXAMPLES / "shop"), goal=f"g{i}").id for i in range(BATCH + 7)}
    requested: list[str] = []
    cursor = None
    for _ in range(10):
        result = _tick(instance, cursor, app_url)
        if not result.run_requests:
            break
        requested += [r.partition_key for r in result.run_requests]
        instance.add_dynamic_partitions("experiments", [r.partition_key for r in result.run_requests])
        cursor = result.cursor
    assert sorted(requested) == sorted(created)  # every one, none twice


def test_runs_the_daemon_starts_take_the_scheduled_run_config(app_url: str, monkeypatch, tmp_path):
    from pipelines.executors import CELERY_RUN_CONFIG, ScheduledRunConfigError

    instance = dg.DagsterInstance.ephemeral()
    with session_scope(app_url) as session:
        create_experiment(session, repo=str(EXAMPLES / "shop"), goal="g")
    assert [r.run_config for r in _tick(instance, None, app_url).run_requests] == [{}]  # Dagster's default executor
    # The broker URL is read by Dagster's Celery executor from its own environment variable (the run
    # config names it with {"env": ...}), so that one is set where the executor reads it.
    monkeypatch.setenv("CELERY_BROKER_URL", "pyamqp://guest:guest@127.0.0.1:5672//")
    (request,) = _tick(instance, None, app_url, AppSettings(scheduled_run_config=str(CELERY_RUN_CONFIG))).run_requests
    assert request.run_config["execution"]["config"]["celery"]["broker"] == {"env": "CELERY_BROKER_URL"}
    # The job accepts it as it is: the steps of the sensor's runs go to the Celery workers.
    from pipelines.definitions import defs

    job = defs().resolve_job_def(new_experiments_sensor.job_name)
    assert dg.validate_run_config(job, request.run_config)
    with pytest.raises(ScheduledRunConfigError, match="missing.yaml: cannot read it as YAML"):
        _tick(instance, None, app_url, AppSettings(scheduled_run_config=str(tmp_path / "missing.yaml")))
    broken = tmp_path / "broken.yaml"
    broken.write_text("execution:\n  config: [unclosed\n")
    with pytest.raises(ScheduledRunConfigError) as caught:  # one line, naming the file
        _tick(instance, None, app_url, AppSettings(scheduled_run_config=str(broken)))
    assert "\n" not in str(caught.value) and str(caught.value).startswith(f"VARIANTLAB_SCHEDULED_RUN_CONFIG={broken}: ")
