"""Mapping between agent value types and database rows, shared by the stage assets."""

from __future__ import annotations

import math
from typing import Any

import dagster as dg
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agents.browser.results import LogRecord, SessionResult
from agents.schemas import FlowSpec, TaskSpec
from analysis.report import MetricResult
from db.models import BrowserSession, ExecutionLog, Experiment, SystemStat, TestFlow, TestSession
from db.stages import StageInputMissing
from pipelines.resources import AppDatabase
from pipelines.tags import experiment_metadata, experiment_tags
from settings import BrowserSettings, Settings


def approved_flows(session: Session, experiment_id: str) -> tuple[TestSession, list[tuple[TestFlow, FlowSpec]]]:
    test_session = session.scalars(
        select(TestSession).where(TestSession.experiment_id == experiment_id).order_by(TestSession.created_at.desc())
    ).first()
    if test_session is None:
        raise StageInputMissing("no test flows for this experiment; materialise test_flows first")
    flows = session.scalars(
        select(TestFlow).where(TestFlow.session_id == test_session.id, TestFlow.approved.is_(True)).order_by(TestFlow.order)
    ).all()
    if not flows:
        raise StageInputMissing("every flow of this experiment is unapproved; approve at least one flow")
    return test_session, [(flow, to_flow_spec(flow)) for flow in flows]


def to_flow_spec(flow: TestFlow) -> FlowSpec:
    return FlowSpec(name=flow.name, description=flow.description, instructions=flow.instructions,
                    order=flow.order, approved=flow.approved, task=TaskSpec.model_validate(flow.task))


def browser_session_row(
    result: SessionResult, *, experiment_id: str, variant_id: str, test_session_id: str,
    flow_ids: dict[str, str], stage: str, panel_order: int, agent_kind: str = "simulated",
) -> BrowserSession:
    details: dict[str, Any] = {
        "console_errors": result.console_errors,
        "failed_requests": result.failed_requests,
        "broken_links": result.broken_links,
        "broken_images": result.broken_images,
        "a11y": result.a11y_details,
        "pages": result.pages_visited,
    }
    return BrowserSession(
        id=result.id,  # the session's screenshots are filed under it (agents/browser/shots.py)
        experiment_id=experiment_id, variant_id=variant_id, test_session_id=test_session_id,
        flow_id=flow_ids.get(result.flow_name), stage=stage, agent_kind=agent_kind,
        browser_task_id=f"{stage}:{result.variant_key}:{result.flow_name}:{result.seed}",
        task_prompt=result.task_prompt, persona=result.persona, seed=result.seed, panel_order=panel_order,
        status="failed" if result.error and not result.success else "completed",
        result={"success": result.success, "summary": result.summary, "insights": result.insights,
                "issues": result.issues},
        raw_logs=result.raw_logs, success=result.success, self_reported_success=result.self_reported_success,
        failure_cause=result.failure_cause.value, time_to_ready_ms=result.time_to_ready_ms,
        n_actions=result.n_actions, duration_ms=result.duration_ms, pages_visited=len(set(result.pages_visited)),
        backtracks=result.backtracks, dead_ends=result.dead_ends, console_errors=len(result.console_errors),
        failed_requests=len(result.failed_requests), broken_links=len(result.broken_links),
        broken_images=len(result.broken_images), a11y_violations=result.a11y_violations,
        lcp_ms=result.lcp_ms, cls=result.cls, action_log=result.action_log, screenshots=result.screenshots,
        details=details, error_message=result.error, started_at=result.started_at,
        last_activity_at=result.completed_at, completed_at=result.completed_at,
    )


def log_row(record: LogRecord, *, experiment_id: str, test_session_id: str | None, stage: str,
            flow_ids: dict[str, str]) -> ExecutionLog:
    return ExecutionLog(
        experiment_id=experiment_id, test_session_id=test_session_id,
        flow_id=flow_ids.get(record.flow_name or ""), stage=stage, level=record.level,
        message=record.message, data={**record.data, "variant": record.variant_key,
                                      "session_index": record.session_index},
    )


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _interval(ci: tuple[float, float] | None) -> tuple[float | None, float | None]:
    return (_finite(ci[0]), _finite(ci[1])) if ci else (None, None)


def comparison_columns(result: MetricResult | None) -> dict[str, Any]:
    """One engine comparison as variant_metrics columns (both metrics stages write them); non-finite
    numbers become NULL. Each interval lands beside the p-value it inverts: ci_abs_low/ci_abs_high with
    p_value (the one adjusted and decided on), ci_low/ci_high (relative) with p_value_rel."""
    if result is None:
        return {}
    ci_low, ci_high = _interval(result.ci_rel)
    ci_abs_low, ci_abs_high = _interval(result.ci_abs)
    return {
        "effect_abs": _finite(result.effect_abs), "effect_rel": _finite(result.effect_rel),
        "ci_low": ci_low, "ci_high": ci_high, "ci_abs_low": ci_abs_low, "ci_abs_high": ci_abs_high,
        "p_value": _finite(result.p_value), "p_value_rel": _finite(result.p_value_rel),
        "p_value_adjusted": _finite(result.p_value_adjusted), "chance_to_win": _finite(result.chance_to_win),
        "risk": _finite(result.risk), "significant": result.significant,
        "guardrail_status": result.guardrail.status if result.guardrail else None,
        "error_code": str(result.error_code) if result.error_code else None,
    }


def dagster_run_id(context) -> str | None:  # type: ignore[no-untyped-def]
    """The run's id, or None when an asset is invoked directly (tests, notebooks)."""
    try:
        return context.run.run_id
    except Exception:  # noqa: BLE001 - Dagster raises DagsterInvalidPropertyError outside a run
        return None


def experiment_links(context: dg.AssetExecutionContext, database: AppDatabase,
                     settings: Settings) -> dict[str, dg.MetadataValue]:
    """The experiment's name and dashboard links, as this materialisation's metadata and on its run.

    Runs from the sensor and the CLI carry the tags from the start; a run launched from the Dagster UI
    or a backfill gets them here, from its first stage to finish.
    """
    experiment_id = context.partition_key
    with database.session() as session:
        name = session.get(Experiment, experiment_id).name
    run_id = dagster_run_id(context)
    tags = experiment_tags(experiment_id, name, settings)
    if run_id is not None and any(context.run.tags.get(key) != value for key, value in tags.items()):
        context.instance.add_run_tags(run_id, tags)
    return experiment_metadata(experiment_id, name, settings)


def record_panel_stats(session: Session, *, sessions: int, browsers: int, seconds: float, stage: str) -> None:
    """System statistics: a sample after each panel (what ran, how fast), for the System view.

    Called in the panel's own transaction after its sessions were added: flushing first puts them (and
    the deletes of the rows they replace) in the count, so the total counts every session exactly once,
    whatever the session's autoflush setting.
    """
    session.flush()
    total = session.scalar(select(func.count()).select_from(BrowserSession)) or 0
    session.add(SystemStat(active_sessions=0, active_browsers=0, total_flows_executed=total,
                           metrics={"stage": stage, "panel_sessions": sessions, "panel_browsers": browsers,
                                    "panel_seconds": round(seconds, 2),
                                    "sessions_per_second": round(sessions / seconds, 3) if seconds else None}))


def panel_sessions_per_flow(n_flows: int, browser: BrowserSettings) -> int:
    """Sessions per flow: the configured number, raised so each variant meets the panel minimum."""
    return max(browser.sessions_per_flow, -(-browser.min_sessions_per_variant // max(n_flows, 1)))
