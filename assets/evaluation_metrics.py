"""Stage 7: human A/B evaluations of the variants (seed 002), summarised against the control."""

import dagster as dg
from sqlalchemy import delete, select

from analysis.arm_intervals import arm_intervals
from analysis.bradley_terry import bradley_terry
from analysis.engine import analyze
from analysis.rows import MetricRow
from assets.records import comparison_columns, dagster_run_id, experiment_links
from db.evaluation_stats import evaluation_stats, pairwise_preferences, preference_comparisons
from db.experiment_playground import ensure_experiment_playground
from db.experiments import get_experiment
from db.models import Variant, VariantMetric
from db.stages import tracked_stage
from db.stored_statistics import store_human_statistics
from pipelines.partitions import experiments_partitions
from pipelines.resources import AppDatabase


@dg.asset(partitions_def=experiments_partitions, deps=["variant_metrics"], group_name="experiment",
          kinds={"python"})
def evaluation_metrics(context: dg.AssetExecutionContext, database: AppDatabase) -> dg.MaterializeResult:
    """What human testers say of each variant: ratings and answers against the control, and a ranking."""
    experiment_id = context.partition_key
    with (
        tracked_stage(experiment_id, "evaluation_metrics", url=database.ready_url(), dagster_run_id=dagster_run_id(context)),
        database.session() as session,
    ):
        get_experiment(session, experiment_id)
        playground = ensure_experiment_playground(session, experiment_id)
        if playground is None:
            # No variant got built: nothing for testers to compare, and variant_metrics has already
            # concluded (keep the baseline). Not a failure of this stage.
            return dg.MaterializeResult(metadata={**experiment_links(context, database),
                                                  "playground": "none: fewer than two variants to compare",
                                                  "evaluations": 0, "metrics": 0,
                                                  "ranking": dg.MetadataValue.json([])})
        stats = evaluation_stats(session, playground.id)
        variant_ids = {v.key: v.id for v in session.scalars(
            select(Variant).where(Variant.experiment_id == experiment_id))}
        # Replace this partition's human metrics; panel metrics belong to variant_metrics.
        session.execute(delete(VariantMetric).where(VariantMetric.experiment_id == experiment_id,
                                                    VariantMetric.source == "human"))
        rows = [MetricRow(**{k: s[k] for k in ("variant", "metric", "type", "n", "sum", "sum_squares")})
                for s in stats if s["variant"] in variant_ids and s["n"] > 0]  # no evaluations yet: no row
        # Evaluations arrive continuously and this is re-read on a schedule: always-valid intervals.
        report = analyze(rows, baseline="control", correction="bh", sequential_tuning=1000.0) if any(
            r.variant == "control" for r in rows) else None
        results = {(r.variant, r.metric): r for r in report.results} if report else {}
        for row in rows:
            session.add(VariantMetric(
                experiment_id=experiment_id, variant_id=variant_ids[row.variant], source="human",
                metric=row.metric, type=row.type, n=row.n, sum=row.sum, sum_squares=row.sum_squares,
                mean=row.sum / row.n if row.n else None,
                **comparison_columns(results.get((row.variant, row.metric)))))
        ranking = bradley_terry(preference_comparisons(pairwise_preferences(session, playground.id)), n_bootstrap=500)
        store_human_statistics(session, experiment_id, playground.id, arm_intervals(rows), ranking)
        playground_id = playground.id
    return dg.MaterializeResult(metadata={
        **experiment_links(context, database),
        "playground": playground_id,
        "evaluations": sum(s["n"] for s in stats if s["metric"] == "rating"),
        "metrics": len(rows),
        "ranking": dg.MetadataValue.json([{"arm": a.arm, "rank": a.rank, "strength": round(a.strength, 4)}
                                          for a in ranking.arms]),
    })
