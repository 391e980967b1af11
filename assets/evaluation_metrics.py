"""Stage 7: human A/B evaluations of the variants, summarised against the control."""

from dataclasses import dataclass
from typing import Any

import dagster as dg
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from analysis.arm_intervals import arm_intervals
from analysis.bradley_terry import BradleyTerryResult, Comparison, bradley_terry
from analysis.engine import analyze
from analysis.report import AnalysisReport
from analysis.rows import MetricRow
from assets.records import comparison_columns
from assets.stage_runner import Metadata, StageCall, run_stage, stage_asset
from db.evaluation_stats import evaluation_stats, pairwise_preferences, preference_comparisons
from db.experiment_playground import ensure_experiment_playground
from db.experiments import get_experiment
from db.models import Variant, VariantMetric
from db.stage_names import Stage
from db.stored_statistics import store_human_statistics
from pipelines.resources import AppDatabase, AppSettings

STAGE = Stage.EVALUATION_METRICS


@dataclass(frozen=True)
class _Inputs:
    playground_id: str | None  # None: fewer than two variants, nothing for testers to compare
    stats: list[dict[str, Any]]
    comparisons: list[Comparison]  # the testers' pairwise preferences
    variant_ids: dict[str, str]  # key → id


@dataclass(frozen=True)
class _Summary:
    rows: list[MetricRow]
    report: AnalysisReport | None  # None until the control has evaluations
    ranking: BradleyTerryResult


@stage_asset(STAGE, deps=[Stage.VARIANT_METRICS])
def evaluation_metrics(context: dg.AssetExecutionContext, database: AppDatabase,
                       settings: AppSettings) -> dg.MaterializeResult:
    """What human testers say of each variant: ratings and answers against the control, and a ranking."""
    return run_stage(context, database, STAGE, settings=settings, read=_read, work=_summarise, write=_write)


def _read(session: Session, call: StageCall) -> _Inputs:
    get_experiment(session, call.experiment_id)
    playground = ensure_experiment_playground(session, call.experiment_id)
    if playground is None:
        return _Inputs(None, [], [], {})
    variant_ids = {v.key: v.id for v in session.scalars(
        select(Variant).where(Variant.experiment_id == call.experiment_id))}
    return _Inputs(playground.id, evaluation_stats(session, playground.id),
                   preference_comparisons(pairwise_preferences(session, playground.id)), variant_ids)


def _summarise(inputs: _Inputs, call: StageCall) -> _Summary | None:
    if inputs.playground_id is None:
        return None
    rows = [MetricRow(**{k: s[k] for k in ("variant", "metric", "type", "n", "sum", "sum_squares")})
            for s in inputs.stats if s["variant"] in inputs.variant_ids and s["n"] > 0]  # no evaluations yet: no row
    # Evaluations arrive continuously and this is re-read on a schedule: always-valid intervals.
    report = analyze(rows, baseline="control", correction="bh", sequential_tuning=1000.0) if any(
        r.variant == "control" for r in rows) else None
    return _Summary(rows, report, bradley_terry(inputs.comparisons, n_bootstrap=500))


def _write(session: Session, inputs: _Inputs, summary: _Summary | None, call: StageCall) -> Metadata:
    if summary is None:
        # No variant got built: nothing for testers to compare, and variant_metrics has already
        # concluded (keep the baseline). Not a failure of this stage.
        return {"playground": "none: fewer than two variants to compare", "evaluations": 0, "metrics": 0,
                "ranking": dg.MetadataValue.json([])}
    # Replace this partition's human metrics; panel metrics belong to variant_metrics.
    session.execute(delete(VariantMetric).where(VariantMetric.experiment_id == call.experiment_id,
                                                VariantMetric.source == "human"))
    results = {(r.variant, r.metric): r for r in summary.report.results} if summary.report else {}
    for row in summary.rows:
        session.add(VariantMetric(
            experiment_id=call.experiment_id, variant_id=inputs.variant_ids[row.variant], source="human",
            metric=row.metric, type=row.type, n=row.n, sum=row.sum, sum_squares=row.sum_squares,
            mean=row.sum / row.n if row.n else None,
            **comparison_columns(results.get((row.variant, row.metric)))))
    # The ranking is computed once (in _summarise) and stored; the metadata reports the stored ranking.
    ranking = store_human_statistics(session, call.experiment_id, inputs.playground_id, arm_intervals(summary.rows),
                                     summary.ranking).ranking
    return {
        "playground": inputs.playground_id,
        "evaluations": sum(s["n"] for s in inputs.stats if s["metric"] == "rating"),
        "metrics": len(summary.rows),
        "ranking": dg.MetadataValue.json([{"arm": a.arm, "rank": a.rank, "strength": round(a.strength, 4)}
                                          for a in ranking.arms]),
    }
