"""Jobs: the main chain of stages per experiment, and the human-evaluation refresh."""

from collections.abc import Sequence

import dagster as dg

from db.stage_names import MAIN_STAGES, Stage
from pipelines.hooks import STEP_PROCESS_HOOKS

experiment_job = dg.define_asset_job(
    "experiment_job", selection=dg.AssetSelection.assets(*MAIN_STAGES),
    description="Every stage of one experiment: flows, control, suggestions, variants, panel, metrics, human evaluation.",
    hooks=STEP_PROCESS_HOOKS,  # with steps on Celery workers, where each stage ran is on the record
)
evaluation_job = dg.define_asset_job(
    "evaluation_job", selection=dg.AssetSelection.assets(Stage.EVALUATION_METRICS.value),
    description="Refresh the human-evaluation metrics of one experiment.",
)


def job_name_for(stages: Sequence[str]) -> str:
    """The named job a run of these stages belongs to, so a CLI run shows in Dagster under the job it
    is part of (not the implicit `__ASSET_JOB`): refreshing human metrics alone is the evaluation job."""
    return evaluation_job.name if list(stages) == [Stage.EVALUATION_METRICS] else experiment_job.name
