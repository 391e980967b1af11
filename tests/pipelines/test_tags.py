"""Dagster runs and materialisations name their experiment and link back to the dashboard."""

from collections.abc import Iterator

import dagster as dg
import pytest

from assets.evaluation_metrics import evaluation_metrics
from db.experiments import create_experiment
from db.session import session_scope
from pipelines.jobs import MAIN_STAGES, job_name_for
from pipelines.resources import AppDatabase
from pipelines.sensors import new_experiments_sensor
from pipelines.tags import DASHBOARD_TAG, EXPERIMENT_NAME_TAG
from settings import get_settings
from tests.pipelines.conftest import EXAMPLES, seed_evaluated_experiment


@pytest.fixture
def linked(app_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("VARIANTLAB_DASHBOARD_URL", "https://lab.example.com/")
    get_settings.cache_clear()
    yield app_db
    get_settings.cache_clear()


def test_the_sensors_runs_carry_the_name_and_a_dashboard_link(linked: str):
    with session_scope(linked) as session:
        experiment_id = create_experiment(session, repo=str(EXAMPLES / "shop"), goal="g", name="shop search").id
    context = dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(), cursor=None,
                                      resources={"database": AppDatabase()})
    (request,) = new_experiments_sensor(context).run_requests
    assert request.tags[EXPERIMENT_NAME_TAG] == "shop search"
    assert request.tags[DASHBOARD_TAG] == f"https://lab.example.com/comparison?exp={experiment_id}"


def test_a_run_launched_without_tags_gets_them_from_its_stage(linked: str):
    """As from the Dagster UI or a backfill: the stage names the experiment on the run and on its
    materialisation."""
    experiment_id = seed_evaluated_experiment(linked)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("experiments", [experiment_id])
        result = dg.materialize([evaluation_metrics], partition_key=experiment_id, instance=instance,
                                resources={"database": AppDatabase()})
        assert result.success
        tags = instance.get_run_by_id(result.run_id).tags
        (materialization,) = result.asset_materializations_for_node("evaluation_metrics")
    assert tags[EXPERIMENT_NAME_TAG] == "shop"  # the default name: the repository's
    assert tags[DASHBOARD_TAG].endswith(f"/comparison?exp={experiment_id}")
    metadata = materialization.metadata
    assert metadata["experiment"] == dg.MetadataValue.text("shop")
    assert metadata["dashboard"] == dg.MetadataValue.url(f"https://lab.example.com/comparison?exp={experiment_id}")
    assert metadata["timeline"] == dg.MetadataValue.url(f"https://lab.example.com/timeline?exp={experiment_id}")


@pytest.mark.parametrize(("stages", "job"), [
    (MAIN_STAGES, "experiment_job"), (MAIN_STAGES[4:], "experiment_job"), (["evaluation_metrics"], "evaluation_job"),
])
def test_cli_runs_belong_to_a_named_job(stages, job: str):
    assert job_name_for(stages) == job
