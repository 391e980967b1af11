"""Dagster runs and materialisations name their experiment and link back to the dashboard."""

import dagster as dg
import pytest

from assets.evaluation_metrics import evaluation_metrics
from db.experiments import create_experiment
from db.session import session_scope
from pipelines.jobs import MAIN_STAGES, job_name_for
from pipelines.resources import AppDatabase, AppSettings
from pipelines.sensors import new_experiments_sensor
from pipelines.tags import DASHBOARD_TAG, EXPERIMENT_NAME_TAG
from tests.pipelines.conftest import EXAMPLES, Resources, seed_evaluated_experiment


@pytest.fixture
def linked(app_url: str) -> Resources:
    """The pipeline's resources, linking to a dashboard of the test's own."""
    return {"database": AppDatabase(url=app_url), "settings": AppSettings(dashboard_url="https://lab.example.com/")}


def test_the_sensors_runs_carry_the_name_and_a_dashboard_link(app_url: str, linked: Resources):
    with session_scope(app_url) as session:
        experiment_id = create_experiment(session, repo=str(EXAMPLES / "shop"), goal="g", name="shop search").id
    with dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(), cursor=None, resources=linked) as context:
        (request,) = new_experiments_sensor(context).run_requests
    assert request.tags[EXPERIMENT_NAME_TAG] == "shop search"
    assert request.tags[DASHBOARD_TAG] == f"https://lab.example.com/comparison?exp={experiment_id}"


def test_a_run_launched_without_tags_gets_them_from_its_stage(app_url: str,
                                                              linked: Resources):
    """As from the Dagster UI or a backfill: the stage names the experiment on the run and on its
    materialisation."""
    experiment_id = seed_evaluated_experiment(app_url)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("experiments", [experiment_id])
        result = dg.materialize([evaluation_metrics], partition_key=experiment_id, instance=instance,
                                resources=linked)
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
