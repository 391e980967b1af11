"""The code location: compose the stage assets from the defs folder with the wiring. Nothing else."""

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
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(
            jobs=[experiment_job, evaluation_job],
            sensors=[new_experiments_sensor],
            schedules=[evaluation_metrics_refresh],
            asset_checks=[every_suggestion_has_a_solve_outcome, every_variant_has_browser_results,
                          metrics_finite_and_in_bounds],
            resources={"database": AppDatabase(), "settings": AppSettings()},
            executor=experiment_executor,
        ),
    )
