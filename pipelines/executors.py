"""Where a run's steps execute: in the run's own processes (Dagster's default), or on Celery workers.

One executor for every job, chosen per run by its run config (`execution: config:`), so the same
code location serves a laptop and a fleet of workers. `celery` needs the optional extra
(`uv sync --extra celery`); it is imported only when a run chooses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import yaml

# The run config that sends a run's steps to the workers (`variantlab worker` reads the same file).
CELERY_RUN_CONFIG = Path(__file__).parent / "instance" / "celery_run.yaml"

CELERY_CONFIG = dg.Field(
    {
        # The same keys as dagster_celery.celery_executor, so its own worker CLI reads this block too.
        "broker": dg.Field(dg.StringSource, description="Celery broker URL, e.g. pyamqp://guest:guest@rabbit:5672//"),
        "backend": dg.Field(dg.StringSource, is_required=False, default_value="rpc://",
                            description="Celery result backend; rpc:// answers through the broker."),
        "include": dg.Field([str], is_required=False, description="Modules every worker imports."),
        "config_source": dg.Field(dg.Permissive(), is_required=False,
                                  description="Further Celery settings, for the run and the workers alike."),
        "retries": dg.Field(dg.Selector({"enabled": {}, "disabled": {}}), is_required=False,
                            default_value={"enabled": {}}),
    },
    description="Send each step to a Celery worker through the broker.",
)


def _requirements(config: dict[str, Any]) -> list[dg.ExecutorRequirement]:
    # Both out-of-process modes rebuild the job elsewhere and share state through the instance.
    return dg.multiple_process_executor_requirements() if {"multiprocess", "celery"} & set(config) else []


@dg.executor(
    name="variantlab",
    config_schema=dg.Field(
        dg.Selector({**dg.multi_or_in_process_executor.config_schema.config_type.fields, "celery": CELERY_CONFIG}),
        # Dagster's own default, so runs that name no executor behave as they did before this one.
        default_value={"multiprocess": {}},
    ),
    requirements=_requirements,
)
def experiment_executor(init_context: dg.InitExecutorContext) -> dg.Executor:
    """Dagster's multiprocess or in-process executor, or dagster-celery's, as the run config says."""
    config = init_context.executor_config
    if "celery" not in config:
        return dg.multi_or_in_process_executor.executor_creation_fn(init_context)
    try:
        from dagster_celery import celery_executor
    except ImportError as exc:
        raise dg.DagsterInvariantViolationError(
            "this run's steps go to Celery workers, but dagster-celery is not installed here: "
            "install the extra with `uv sync --extra celery`") from exc
    return celery_executor.executor_creation_fn(init_context._replace(executor_config=config["celery"]))


def experiment_job_def() -> dg.JobDefinition:
    """The experiment job, rebuilt by name wherever a step runs (dg.reconstructable points here)."""
    from pipelines.definitions import defs

    return defs().resolve_job_def("experiment_job")


class ScheduledRunConfigError(Exception):
    """The `scheduled_run_config` setting names a file that is not a run config."""


def scheduled_run_config(path: Path | None) -> dict[str, Any]:
    """The run config of runs the sensor and the schedule request (the `scheduled_run_config`
    setting): {} for Dagster's default executor. A missing or unreadable file is one clear error,
    raised at the tick, so the daemon shows why no run started."""
    if path is None:
        return {}
    try:
        config = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__  # one line in the log
        raise ScheduledRunConfigError(f"VARIANTLAB_SCHEDULED_RUN_CONFIG={path}: cannot read it as YAML: {why}") from exc
    if not isinstance(config, dict):
        raise ScheduledRunConfigError(f"VARIANTLAB_SCHEDULED_RUN_CONFIG={path}: expected a mapping of run config")
    return config
