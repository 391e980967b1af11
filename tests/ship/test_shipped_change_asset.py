"""The shipped_change asset: downstream of the metrics, out of the main job, ships on demand."""

import dagster as dg

import assets.variant_metrics
from assets.shipped_change import shipped_change
from db import shipping
from pipelines.definitions import defs
from pipelines.jobs import experiment_job
from pipelines.resources import AppDatabase, AppSettings
from tests.ship.world import GitWorld, seed_shippable


def test_a_normal_run_never_ships():
    job_keys = {k.to_user_string() for k in defs().resolve_job_def(experiment_job.name).asset_layer.selected_asset_keys}
    assert "variant_metrics" in job_keys and "shipped_change" not in job_keys
    assert dg.AssetKey("variant_metrics") in shipped_change.dependency_keys


def test_the_evidence_reads_the_metric_the_champion_is_named_on():
    assert shipping.PRIMARY_METRIC == assets.variant_metrics.PRIMARY_METRIC


def _materialize(experiment_id: str, url: str, **config: object) -> dg.ExecuteInProcessResult:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    return dg.materialize([shipped_change], partition_key=experiment_id, instance=instance, raise_on_error=False,
                          resources={"database": AppDatabase(url=url), "settings": AppSettings()},
                          run_config={"ops": {"shipped_change": {"config": config}}})


def test_materialising_it_ships_and_keeps_the_link_as_metadata(app_db: str, world: GitWorld):
    experiment_id = seed_shippable(app_db, world)
    result = _materialize(experiment_id, app_db)
    assert result.success
    (event,) = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["branch"].value == f"variantlab/{experiment_id}-v1"
    assert metadata["url"].value == f"{world.remote}#variantlab/{experiment_id}-v1"


def test_a_refusal_fails_the_step_once_with_the_reason(app_db: str, world: GitWorld):
    experiment_id = seed_shippable(app_db, world, approved=False)
    result = _materialize(experiment_id, app_db)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "not approved yet" in failure.step_failure_data.error.message
    assert _materialize(experiment_id, app_db, force=True).success
