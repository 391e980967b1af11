"""The one shape of a tracked stage: refuse early → track the stage → read its inputs → do the work →
replace its rows in one transaction. A stage module supplies the three steps; the runner owns the rest.

Stages are idempotent per partition: each `write` deletes what the stage wrote before for the
experiment and inserts anew in the same transaction, so a backfill or a re-execution replaces rather
than adds, and a failure leaves the previous rows as they were.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import dagster as dg
from sqlalchemy.orm import Session

from assets.records import dagster_run_id, experiment_links
from db.experiment_playground import STAGES_REPLACING_VARIANTS, guard_variants_with_evaluations
from db.stage_names import Stage
from db.stages import StageHandle, tracked_stage
from pipelines.partitions import experiments_partitions
from pipelines.policies import fail_without_retry
from pipelines.resources import AppDatabase, AppSettings
from settings import Settings

Inputs = TypeVar("Inputs")
Outcome = TypeVar("Outcome")
Metadata = dict[str, Any]


@dataclass(frozen=True)
class StageCall:
    """One run of a stage on one experiment, as its steps see it."""

    experiment_id: str
    stage: Stage
    handle: StageHandle  # progress and checkpoints on the stage's row and timeline
    started: float  # time.monotonic() when the stage was asked to run
    settings: Settings  # what the stage hands its agents, section by section (the AppSettings resource's)

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def stage_asset(stage: Stage, *, deps: Sequence[Stage] = (), **options: Any) -> Callable[..., dg.AssetsDefinition]:
    """`@dg.asset` for a stage of an experiment partition: named by its Stage, depending on Stages."""
    return dg.asset(name=stage.value, deps=[dep.value for dep in deps], partitions_def=experiments_partitions,
                    group_name="experiment", **{"kinds": {"python"}, **options})


def run_stage(
    context: dg.AssetExecutionContext, database: AppDatabase, stage: Stage, *, settings: AppSettings,
    read: Callable[[Session, StageCall], Inputs],
    work: Callable[[Inputs, StageCall], Outcome],
    write: Callable[[Session, Inputs, Outcome, StageCall], Metadata],
    after_commit: Callable[[Inputs, Outcome, StageCall], None] | None = None,
) -> dg.MaterializeResult:
    """Run `stage` on the context's partition: `read` in one transaction, `work` outside any (agents take
    minutes), `write` in another, then `after_commit` (files the replaced rows named). The metadata
    `write` returns, with the experiment's links, is the materialisation's. The steps find the stage's
    settings (the `settings` resource's, built once per run) on the StageCall.

    A stage that replaces the variants (STAGES_REPLACING_VARIANTS) refuses while testers' evaluations
    hang off them. An error no retry can fix fails without the retry policy (pipelines/policies.py)."""
    started = time.monotonic()
    experiment_id = context.partition_key
    replaces_variants = stage in STAGES_REPLACING_VARIANTS
    with fail_without_retry():
        if replaces_variants:
            with database.session() as session:
                # Before tracked_stage: a refusal changes nothing, so it leaves no failed run on the record.
                guard_variants_with_evaluations(session, experiment_id, stage)
        with tracked_stage(experiment_id, stage, url=database.ready_url(),
                           dagster_run_id=dagster_run_id(context)) as handle:
            call = StageCall(experiment_id, stage, handle, started, settings.build())
            with database.session() as session:
                inputs = read(session, call)
            outcome = work(inputs, call)
            with database.session() as session:
                if replaces_variants:
                    # Again in the replacing transaction: testers may have evaluated while the stage worked.
                    guard_variants_with_evaluations(session, experiment_id, stage)
                metadata = write(session, inputs, outcome, call)
            if after_commit is not None:
                after_commit(inputs, outcome, call)
    return dg.MaterializeResult(metadata={**experiment_links(context, database, call.settings), **metadata})
