"""Jobs: the main chain of stages per experiment, and the human-evaluation refresh."""

from collections.abc import Sequence

import dagster as dg

from pipelines.hooks import STEP_PROCESS_HOOKS

MAIN_STAGES = ("test_flows", "control_analysis", "variant_suggestions", "variant_implementations",
               "browser_results", "variant_metrics", "evaluation_metrics")

experiment_job = dg.define_asset_job(
    "experiment_job", selection=dg.AssetSelection.assets(*MAIN_STAGES),
    description="Every stage of one experiment: flows, control, suggestions, variants, panel, metrics, human evaluation.",
    hooks=STEP_PROCESS_HOOKS,  # with steps on Celery workers, where each stage ran is on the record
)
evaluation_job = dg.define_asset_job(
    "evaluation_job", selection=dg.AssetSelection.assets("evaluation_metrics"),
    description="Refresh the human-evaluation metrics of one experiment.",
)


def job_name_for(stages: Sequence[str]) -> str:
    """The named job a run of these stages belongs to, so a CLI run shows in Dagster under the job it
    is part of (not the implicit `__ASSET_JOB`): refreshing human metrics alone is the evaluation job."""
    return evaluation_job.name if list(stages) == ["evaluation_metrics"] else experiment_job.name
