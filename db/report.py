"""The whole experiment as plain data: what `variantlab report --json` prints."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.build_summary import build_summary
from db.experiments import get_experiment
from db.models import BrowserSession, Solve, SolveRun, Suggestion, Variant, VariantMetric
from db.stage_names import Stage
from db.stages import latest_stage_runs


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def experiment_report(session: Session, experiment_id: str) -> dict[str, Any]:
    experiment = get_experiment(session, experiment_id)
    variants = session.scalars(select(Variant).where(Variant.experiment_id == experiment_id)
                               .order_by(Variant.type, Variant.key)).all()
    metrics = session.scalars(select(VariantMetric).where(VariantMetric.experiment_id == experiment_id)
                              .order_by(VariantMetric.source, VariantMetric.metric)).all()
    sessions = dict(session.execute(
        select(BrowserSession.variant_id, func.count()).where(BrowserSession.experiment_id == experiment_id,
                                                              BrowserSession.stage == Stage.BROWSER_RESULTS)
        .group_by(BrowserSession.variant_id)).all())
    key_of = {v.id: v.key for v in variants}
    by_variant: dict[str, list[dict[str, Any]]] = {}
    for m in metrics:
        # Each interval beside the p-value it inverts: ci_abs (metric units) with p_value, the one
        # p_value_adjusted and significant are computed from; ci_rel (a fraction) with p_value_rel.
        by_variant.setdefault(m.variant_id, []).append({
            "source": m.source, "metric": m.metric, "type": m.type, "n": m.n, "mean": m.mean,
            "effect_abs": m.effect_abs, "ci_abs": [m.ci_abs_low, m.ci_abs_high], "p_value": m.p_value,
            "effect_rel": m.effect_rel, "ci_rel": [m.ci_low, m.ci_high], "p_value_rel": m.p_value_rel,
            "p_value_adjusted": m.p_value_adjusted, "chance_to_win": m.chance_to_win,
            "risk": m.risk, "significant": m.significant, "guardrail": m.is_guardrail,
            "guardrail_status": m.guardrail_status, "error_code": m.error_code,
        })
    suggestions = {s.id: s for s in session.scalars(select(Suggestion).where(Suggestion.experiment_id == experiment_id))}
    solves = []
    for solve in session.scalars(select(Solve).where(Solve.experiment_id == experiment_id)):
        runs = session.scalars(select(SolveRun).where(SolveRun.solve_id == solve.id).order_by(SolveRun.created_at)).all()
        solves.append({
            "id": solve.id, "suggestion": suggestions[solve.suggestion_id].title if solve.suggestion_id in suggestions else None,
            "status": solve.status, "champion_run_id": solve.champion_run_id, "champion_reason": solve.champion_reason,
            "error": solve.error_message,
            "runs": [{"id": r.id, "model": r.model, "temperature": r.temperature, "strategy": r.evolution,
                      "status": r.status, "tests_passed": r.tests_passed, "goal_checks_passed": r.goal_checks_passed,
                      "loc_changed": r.loc_changed, "files_changed": r.files_changed, "tokens": r.tokens,
                      "latency_ms": r.latency_ms, "error": r.error_message, "pr_url": r.pr_url,
                      "commit": r.commit_hash} for r in runs],
        })
    champion_key = key_of.get(experiment.champion_variant_id) if experiment.champion_variant_id else None
    # Where a variant was shipped (variantlab ship): its champion run's pull request or pushed branch.
    shipped = dict(session.execute(select(SolveRun.id, SolveRun.pr_url).where(
        SolveRun.experiment_id == experiment_id, SolveRun.pr_url.is_not(None))).all())
    return {
        "id": experiment.id, "name": experiment.name, "repo_url": experiment.repo_url, "goal": experiment.goal,
        "status": experiment.status, "workflow_status": experiment.workflow_status, "error": experiment.error_message,
        "bringup_plan": experiment.bringup_plan,
        "created_at": _iso(experiment.created_at), "completed_at": _iso(experiment.completed_at),
        "stages": {stage: {"status": run.status, "error": run.error_message, "started_at": _iso(run.started_at),
                           "completed_at": _iso(run.completed_at)}
                   for stage, run in latest_stage_runs(session, experiment_id).items()},
        "suggestions": [{"rank": s.rank, "title": s.title, "rationale": s.rationale, "target_metric": s.target_metric}
                        for s in sorted(suggestions.values(), key=lambda s: s.rank)],
        "variants": [{"id": v.id, "key": v.key, "type": v.type, "suggestion": v.suggestion,
                      "deploy_status": v.deploy_status, "analysis": v.analysis, "sessions": sessions.get(v.id, 0),
                      "metrics": by_variant.get(v.id, []), "pr_url": shipped.get(v.source_run_id)} for v in variants],
        "solves": solves,
        "build": build_summary(session, experiment_id).to_dict(),
        "champion_variant": champion_key,
        "champion_variant_id": experiment.champion_variant_id,
        "champion_reason": experiment.champion_reason,
        # How the variant panel ended (analysis/stopping.py); all None for a panel of one fixed round.
        "panel": {"stop_reason": experiment.panel_stop_reason, "rounds": experiment.panel_rounds,
                  "sessions_per_arm": experiment.panel_sessions_per_arm},
    }
