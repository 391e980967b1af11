"""Partitioned asset checks: what must hold for each experiment once a stage has run."""

import math

import dagster as dg
from sqlalchemy import func, select

from db.models import BrowserSession, Solve, Suggestion, Variant, VariantMetric
from db.stage_names import Stage
from pipelines.partitions import experiments_partitions
from pipelines.resources import AppDatabase

SOLVES_ACCOUNTED_FOR = "every_suggestion_has_a_solve_outcome"
VARIANTS_MEASURED = "every_variant_has_browser_results"
METRICS_IN_BOUNDS = "metrics_finite_and_in_bounds"


@dg.asset_check(asset=Stage.VARIANT_IMPLEMENTATIONS.value, name=SOLVES_ACCOUNTED_FOR, partitions_def=experiments_partitions)
def every_suggestion_has_a_solve_outcome(context: dg.AssetCheckExecutionContext,
                                         database: AppDatabase) -> dg.AssetCheckResult:
    """Each suggestion has a solve with a champion run, or a failure with its reason recorded."""
    experiment_id = context.partition_key
    with database.session() as session:
        suggestions = session.scalars(select(Suggestion.id).where(Suggestion.experiment_id == experiment_id)).all()
        solves = {s.suggestion_id: s for s in session.scalars(select(Solve).where(Solve.experiment_id == experiment_id))}
        missing = [sid for sid in suggestions if sid not in solves]
        unexplained = [s.id for s in solves.values() if s.champion_run_id is None and not s.error_message]
    return dg.AssetCheckResult(passed=not missing and not unexplained,
                               metadata={"suggestions": len(suggestions), "without_solve": len(missing),
                                         "failed_without_reason": len(unexplained)})


@dg.asset_check(asset=Stage.BROWSER_RESULTS.value, name=VARIANTS_MEASURED, partitions_def=experiments_partitions)
def every_variant_has_browser_results(context: dg.AssetCheckExecutionContext,
                                      database: AppDatabase) -> dg.AssetCheckResult:
    """The control and every variant were measured by the panel."""
    experiment_id = context.partition_key
    with database.session() as session:
        counts = dict(session.execute(
            select(Variant.key, func.count(BrowserSession.id))
            .outerjoin(BrowserSession, (BrowserSession.variant_id == Variant.id) & (BrowserSession.stage == Stage.BROWSER_RESULTS))
            .where(Variant.experiment_id == experiment_id).group_by(Variant.key)).all())
    unmeasured = sorted(k for k, n in counts.items() if n == 0)
    return dg.AssetCheckResult(passed=bool(counts) and not unmeasured,
                               metadata={"sessions_per_variant": dg.MetadataValue.json(counts),
                                         "unmeasured": dg.MetadataValue.json(unmeasured)})


@dg.asset_check(asset=Stage.VARIANT_METRICS.value, name=METRICS_IN_BOUNDS, partitions_def=experiments_partitions)
def metrics_finite_and_in_bounds(context: dg.AssetCheckExecutionContext,
                                 database: AppDatabase) -> dg.AssetCheckResult:
    """Means are finite, proportions and probabilities lie in [0, 1], intervals are ordered."""
    experiment_id = context.partition_key
    problems: list[str] = []
    with database.session() as session:
        rows = session.scalars(select(VariantMetric).where(VariantMetric.experiment_id == experiment_id,
                                                          VariantMetric.source == "panel")).all()
    for row in rows:
        label = f"{row.variant_id}:{row.metric}"
        if row.n <= 0 or row.mean is None or not math.isfinite(row.mean):
            problems.append(f"{label}: mean not finite")
        elif row.type == "binomial" and not 0.0 <= row.mean <= 1.0:
            problems.append(f"{label}: proportion {row.mean} outside [0, 1]")
        for name in ("p_value", "p_value_rel", "p_value_adjusted", "chance_to_win"):
            value = getattr(row, name)
            if value is not None and not 0.0 <= value <= 1.0:
                problems.append(f"{label}: {name}={value} outside [0, 1]")
        for kind, low, high in (("relative", row.ci_low, row.ci_high), ("absolute", row.ci_abs_low, row.ci_abs_high)):
            if low is not None and high is not None and low > high:
                problems.append(f"{label}: {kind} interval reversed")
    return dg.AssetCheckResult(passed=bool(rows) and not problems,
                               metadata={"metrics": len(rows), "problems": dg.MetadataValue.json(problems[:50])})
