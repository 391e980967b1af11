"""Stage 6: per-variant panel metrics against the control, guardrails, and the champion variant."""

from dataclasses import dataclass, replace

import dagster as dg
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from analysis.arm_intervals import arm_intervals
from analysis.champion import ChampionDecision, choose_champion_variant
from analysis.engine import analyze
from analysis.guardrails import Guardrail
from analysis.report import AnalysisReport, MetricResult
from analysis.rows import MetricRow
from analysis.stopping import as_sequential, looked_more_than_once, stop_summary
from assets.records import StageInputMissing, approved_flows, comparison_columns
from assets.stage_runner import Metadata, StageCall, run_stage, stage_asset
from db.build_summary import BuildSummary, build_summary
from db.experiments import add_event, get_experiment
from db.models import Variant, VariantMetric
from db.panel_stats import PANEL_METRICS, PRIMARY_METRIC, panel_sufficient_stats
from db.stage_names import Stage
from db.stored_statistics import store_panel_statistics
from pipelines.resources import AppDatabase, AppSettings

STAGE = Stage.VARIANT_METRICS
# Declared before any data is seen: effort decides when task success cannot. Time is reported but
# not decisive: it moves with actions, and a second effort test would only dilute the correction.
SECONDARY_METRICS = ("actions",)
NO_TASK = (f"the panel measured no task: the only flow found on this app opens its start page, which every "
           f"session does at once, so {PRIMARY_METRIC} cannot tell the arms apart; compare the variants on "
           "their guardrails (what they change) and by human A/B evaluation; keeping the baseline")
GUARDRAILS = {m.name: Guardrail(margin=m.guardrail_margin) for m in PANEL_METRICS if m.guardrail_margin is not None}


@dataclass(frozen=True)
class _Inputs:
    stats: list[dict]  # the panel's sufficient statistics per variant and metric
    built: BuildSummary
    stop: str | None  # why the panel stopped, and after how much
    rounds: int
    sessions_per_arm: int
    variant_ids: dict[str, str]  # key → id
    measures_no_task: bool = False  # every flow only opens the start page: task success is 100% by design


@dataclass(frozen=True)
class _Verdict:
    report: AnalysisReport
    decision: ChampionDecision
    reason: str


@stage_asset(STAGE, deps=[Stage.BROWSER_RESULTS])
def variant_metrics(context: dg.AssetExecutionContext, database: AppDatabase,
                    settings: AppSettings) -> dg.MaterializeResult:
    """Which variant helps users most, by how much and how surely, with guardrails and the champion."""
    return run_stage(context, database, STAGE, settings=settings, read=_read, work=_decide, write=_write)


def _read(session: Session, call: StageCall) -> _Inputs:
    experiment = get_experiment(session, call.experiment_id)
    stats = panel_sufficient_stats(session, call.experiment_id)
    if not any(s["variant"] == "control" for s in stats):
        raise StageInputMissing("no browser results for the control; materialise browser_results first")
    ids = {v.key: v.id for v in session.scalars(select(Variant).where(Variant.experiment_id == call.experiment_id))}
    return _Inputs(stats, build_summary(session, call.experiment_id), experiment.panel_stop_reason,
                   experiment.panel_rounds or 0, experiment.panel_sessions_per_arm or 0, ids,
                   _measures_no_task(session, call.experiment_id))


def _measures_no_task(session: Session, experiment_id: str) -> bool:
    try:
        _, flows = approved_flows(session, experiment_id)
    except StageInputMissing:  # results recorded without flows (an import, a test): nothing to say of them
        return False
    return all(spec.task.measures_nothing for _, spec in flows)


def _decide(inputs: _Inputs, call: StageCall) -> _Verdict:
    stop, stats = inputs.stop, inputs.stats
    sequential = stop is not None and looked_more_than_once(stop, inputs.rounds)
    report = analyze_panel_stats([MetricRow(**s) for s in stats], sequential=sequential)
    decision = choose_champion_variant(report, PRIMARY_METRIC, SECONDARY_METRICS)
    if inputs.measures_no_task and decision.variant is None:
        # "Every arm came out the same at 100%" would read as evidence; the panel had no task to fail.
        decision = replace(decision, reason=NO_TASK)
    reason = outcome_reason(decision.reason, inputs.built, measured=len({s["variant"] for s in stats}) - 1)
    if stop is not None:  # how long the panel ran is part of the answer, above all when it found none
        reason += f"; {stop_summary(stop, inputs.rounds, inputs.sessions_per_arm)}"
    return _Verdict(report, decision, reason)


def _write(session: Session, inputs: _Inputs, verdict: _Verdict, call: StageCall) -> Metadata:
    report, decision, reason, ids = verdict.report, verdict.decision, verdict.reason, inputs.variant_ids
    # Replace this partition's panel metrics (human metrics are the evaluation stage's).
    session.execute(delete(VariantMetric).where(VariantMetric.experiment_id == call.experiment_id,
                                                VariantMetric.source == "panel"))
    results = {(r.variant, r.metric): r for r in report.results}
    for s in inputs.stats:
        result = results.get((s["variant"], s["metric"]))
        session.add(_metric_row(call.experiment_id, ids[s["variant"]], s, result))
    # The sample ratio check is computed once (analysis.engine, for the decision) and stored; the event
    # and the metadata report the stored check, so the timeline, Dagster and the dashboard agree.
    srm = store_panel_statistics(session, call.experiment_id, report.srm,
                                 arm_intervals([MetricRow(**s) for s in inputs.stats])).srm
    experiment = get_experiment(session, call.experiment_id)
    experiment.champion_variant_id = ids.get(decision.variant) if decision.variant else None
    experiment.champion_reason = reason
    add_event(session, call.experiment_id, "champion_selected", stage=STAGE,
              title=f"Champion variant: {decision.variant or 'none'}", content=reason,
              status="completed", data={"srm_p_value": srm.p_value, "srm_flagged": srm.flagged,
                                        "build": inputs.built.to_dict()})
    significant = [f"{r.variant}:{r.metric}" for r in report.results if r.significant]
    return {
        "champion_variant": decision.variant or "none",
        "champion_reason": reason,
        "variants_built": inputs.built.line(),
        "variants": len({s["variant"] for s in inputs.stats}),
        "significant_results": dg.MetadataValue.json(significant),
        "srm_p_value": srm.p_value if srm.p_value is not None else float("nan"),
        "guardrail_violations": sum(1 for r in report.results if r.guardrail and r.guardrail.status == "violated"),
    }


def outcome_reason(decision_reason: str, built: BuildSummary, *, measured: int) -> str:
    """The verdict with what it rests on. With no variant measured there was nothing to compare, and
    saying "keeping the baseline" alone would hide that: the build account is the outcome then."""
    if measured <= 0:
        return f"nothing to compare: {built.line()}"
    if built.not_built or built.not_deployed:
        return f"{decision_reason} ({built.line()})"
    return decision_reason


def analyze_panel_stats(rows: list[MetricRow], *, sequential: bool = False) -> AnalysisReport:
    """Two families, declared before the data: the decision metrics (Holm-corrected together, they
    name the champion) and the rest (guardrails by non-inferiority, descriptive metrics). Correcting
    the decision over guardrails too would only spend power on tests that cannot name a winner.
    A panel read once is a fixed-size batch, and fixed-horizon intervals are the right ones. A panel
    that looked after every round (`sequential`) could stop when a fixed-horizon test happened to be
    small, so the decision family is read on the always-valid intervals and p-values its stopping rule
    used; the other family never steered the stop and stays fixed-horizon."""
    decision_metrics = {PRIMARY_METRIC, *SECONDARY_METRICS}
    decision_rows = [r for r in rows if r.metric in decision_metrics]
    decisive = analyze(decision_rows, baseline="control", correction="holm")
    if sequential:
        decisive = as_sequential(decisive, decision_rows)
    others = [r for r in rows if r.metric not in decision_metrics]
    if not others:
        return decisive
    guarded = analyze(others, baseline="control", correction="holm", guardrails=GUARDRAILS)
    return replace(decisive, metrics=decisive.metrics + guarded.metrics, results=decisive.results + guarded.results)


def _metric_row(experiment_id: str, variant_id: str, s: dict, result: MetricResult | None) -> VariantMetric:
    mean = s["sum"] / s["n"] if s["n"] else None
    return VariantMetric(experiment_id=experiment_id, variant_id=variant_id, source="panel", metric=s["metric"],
                         type=s["type"], is_guardrail=s["metric"] in GUARDRAILS, n=s["n"], sum=s["sum"],
                         sum_squares=s["sum_squares"], mean=mean, **comparison_columns(result))
