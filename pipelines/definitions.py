"""The code location: compose the stage assets from the defs folder with the wiring. Nothing else."""

from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from pipelines.checks import (
    every_suggestion_has_a_solve_outcome,
    every_variant_has_browser_results,
    metrics_finite_and_in_bounds,
)
from pipelines.executors import experiment_executor
from pipelines.jobs import evaluation_job, experiment_job
from pipelines.resources import AppDatabase, AppSettings
from pipelines.schedules import evaluation_metrics_refresh
from pipelines.sensors import new_experiments_sensor


@dg.definitions
def defs() -> dg.Definitions:
    # Unset, both take the VARIANTLAB_* environment when a run starts (a deployment's own
    # definitions may set fields, keys as dg.EnvVar). Not an EnvVar per key here: Dagster fails
    # every run whose EnvVar names an unset variable, and a key is optional (offline providers).
    return build_defs({"database": AppDatabase(), "settings": AppSettings()})


def build_defs(resources: Mapping[str, dg.ConfigurableResource]) -> dg.Definitions:
    """The stages and their wiring on these resources; a test hands its own configured ones."""
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(
            jobs=[experiment_job, evaluation_job],
            sensors=[new_experiments_sensor],
            schedules=[evaluation_metrics_refresh],
            asset_checks=[every_suggestion_has_a_solve_outcome, every_variant_has_browser_results,
                          metrics_finite_and_in_bounds],
            resources=resources,
            executor=experiment_executor,
        ),
    )
