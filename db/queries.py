"""Every read the dashboard makes, as plain dicts (the views never see the ORM or SQL).

Queries aggregate in SQL and bound their row counts, so a page stays fast with millions of
evaluations: nothing here loads an unbounded table into Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import Session, aliased

from db.models import (
    Arm,
    AuditLog,
    BrowserSession,
    EvaluationCounter,
    ExecutionLog,
    Experiment,
    FeedbackItem,
    Playground,
    Question,
    Solve,
    SolveRun,
    StageRun,
    Suggestion,
    TestFlow,
    TestSession,
    TimelineEvent,
    User,
    Variant,
    VariantMetric,
)
from db.panel_stats import higher_is_better
from db.stage_names import Stage

Row = dict[str, Any]


def _rows(session: Session, query: Any) -> list[Row]:
    return [dict(row) for row in session.execute(query).mappings()]


# --- users -------------------------------------------------------------------------------------

def list_users(session: Session) -> list[Row]:
    return _rows(session, select(User.id, User.email, User.full_name, User.role).order_by(User.role, User.email))


# --- experiments -------------------------------------------------------------------------------

def experiments_overview(session: Session, limit: int = 500) -> list[Row]:
    """Newest first, with creator, champion, variant count and the latest run of every stage."""
    creator = aliased(User)
    champion = aliased(Variant)
    rows = _rows(session, select(
        Experiment.id, Experiment.name, Experiment.goal, Experiment.repo_url, Experiment.status,
        Experiment.workflow_status, Experiment.created_at, Experiment.champion_reason,
        creator.email.label("created_by"), champion.key.label("champion"),
    ).outerjoin(creator, creator.id == Experiment.created_by_id)
     .outerjoin(champion, champion.id == Experiment.champion_variant_id)
     .order_by(Experiment.created_at.desc(), Experiment.id).limit(limit))
    ids = [r["id"] for r in rows]
    counts = dict(session.execute(
        select(Variant.experiment_id, func.count()).where(Variant.experiment_id.in_(ids)).group_by(Variant.experiment_id)
    ).all()) if ids else {}
    stages = latest_stage_runs(session, ids)
    for row in rows:
        row["variants"] = counts.get(row["id"], 0)
        row["stages"] = stages.get(row["id"], [])
    return rows


def latest_stage_runs(session: Session, experiment_ids: list[str]) -> dict[str, list[Row]]:
    """The most recent stage_runs row per (experiment, stage), grouped by experiment."""
    if not experiment_ids:
        return {}
    latest = (
        select(StageRun.experiment_id, StageRun.stage, func.max(StageRun.started_at).label("started_at"))
        .where(StageRun.experiment_id.in_(experiment_ids))
        .group_by(StageRun.experiment_id, StageRun.stage).subquery()
    )
    rows = _rows(session, select(
        StageRun.experiment_id, StageRun.stage, StageRun.status, StageRun.progress, StageRun.error_message,
        StageRun.started_at, StageRun.completed_at,
    ).join(latest, and_(latest.c.experiment_id == StageRun.experiment_id, latest.c.stage == StageRun.stage,
                        latest.c.started_at == StageRun.started_at)))
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.pop("experiment_id"), []).append(row)
    return grouped


def running_stage_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(StageRun.status == "running")) or 0


def experiment_header(session: Session, experiment_id: str) -> Row | None:
    approver, verifier = aliased(User), aliased(User)
    champion = aliased(Variant)
    rows = _rows(session, select(
        Experiment.id, Experiment.name, Experiment.goal, Experiment.repo_url, Experiment.base_branch,
        Experiment.status, Experiment.workflow_status, Experiment.version, Experiment.error_message,
        Experiment.created_at, Experiment.champion_variant_id, Experiment.champion_reason,
        Experiment.approved_at, Experiment.verified_at, Experiment.bringup_plan, champion.key.label("champion_key"),
        Experiment.panel_stop_reason, Experiment.panel_rounds, Experiment.panel_sessions_per_arm,
        approver.email.label("approved_by"), verifier.email.label("verified_by"),
    ).outerjoin(champion, champion.id == Experiment.champion_variant_id)
     .outerjoin(approver, approver.id == Experiment.approved_by_id)
     .outerjoin(verifier, verifier.id == Experiment.verified_by_id)
     .where(Experiment.id == experiment_id))
    return rows[0] if rows else None


def experiment_choices(session: Session, limit: int = 500) -> list[Row]:
    return _rows(session, select(Experiment.id, Experiment.name, Experiment.status)
                 .order_by(Experiment.created_at.desc(), Experiment.id).limit(limit))


# --- comparison --------------------------------------------------------------------------------

def variants_with_suggestions(session: Session, experiment_id: str) -> list[Row]:
    return _rows(session, select(
        Variant.id, Variant.key, Variant.type, Variant.suggestion, Variant.public_url, Variant.patch,
        Variant.analysis, Variant.deploy_status, Suggestion.title.label("suggestion_title"),
        Suggestion.rationale, Suggestion.addresses_issues, Suggestion.rank,
    ).outerjoin(Suggestion, Suggestion.id == Variant.suggestion_id)
     .where(Variant.experiment_id == experiment_id).order_by(Variant.type, Variant.key))


def variant_metrics(session: Session, experiment_id: str) -> list[Row]:
    """Metric rows with both interval pairs: ci_abs_low/ci_abs_high go with p_value (and the decision on
    it, p_value_adjusted); ci_low/ci_high are the relative interval and go with p_value_rel. Each row also
    says whether the metric's higher values are better (`higher_is_better`)."""
    rows = _rows(session, select(
        Variant.key.label("variant"), VariantMetric.source, VariantMetric.metric, VariantMetric.type,
        VariantMetric.is_guardrail, VariantMetric.n, VariantMetric.sum, VariantMetric.sum_squares,
        VariantMetric.mean, VariantMetric.effect_abs,
        VariantMetric.ci_abs_low, VariantMetric.ci_abs_high, VariantMetric.p_value,
        VariantMetric.effect_rel, VariantMetric.ci_low, VariantMetric.ci_high, VariantMetric.p_value_rel,
        VariantMetric.p_value_adjusted, VariantMetric.chance_to_win, VariantMetric.risk,
        VariantMetric.significant, VariantMetric.guardrail_status, VariantMetric.error_code,
    ).join(Variant, Variant.id == VariantMetric.variant_id)
     .where(VariantMetric.experiment_id == experiment_id).order_by(VariantMetric.metric, Variant.key))
    # Which way is good: fewer actions or errors is an improvement, a rating or a success rate goes up.
    for row in rows:
        row["higher_is_better"] = higher_is_better(row["metric"]) if row["source"] == "panel" else True
    return rows


def question_texts(session: Session, question_ids: list[str]) -> dict[str, str]:
    """Question text by id: human metrics name a select question's option as q:<id>=<value>."""
    if not question_ids:
        return {}
    return dict(session.execute(select(Question.id, Question.question_text)
                                .where(Question.id.in_(question_ids))).tuples().all())


def session_counts(session: Session, experiment_id: str) -> dict[str, int]:
    """Panel sessions per variant (the SRM check's observed split)."""
    rows = session.execute(
        select(Variant.key, func.count(BrowserSession.id)).join(BrowserSession, BrowserSession.variant_id == Variant.id)
        .where(Variant.experiment_id == experiment_id, BrowserSession.stage == Stage.BROWSER_RESULTS)
        .group_by(Variant.key)
    ).all()
    return {key: n for key, n in rows}


# --- solves ------------------------------------------------------------------------------------

def solves(session: Session, experiment_id: str) -> list[Row]:
    return _rows(session, select(
        Solve.id, Solve.status, Solve.agent, Solve.champion_run_id, Solve.champion_reason, Solve.max_parallel,
        Solve.time_budget_s, Solve.error_message, Suggestion.title.label("suggestion"), Suggestion.rank,
    ).join(Suggestion, Suggestion.id == Solve.suggestion_id)
     .where(Solve.experiment_id == experiment_id).order_by(Suggestion.rank))


def solve_runs(session: Session, experiment_id: str) -> list[Row]:
    return _rows(session, select(
        SolveRun.id, SolveRun.solve_id, SolveRun.model, SolveRun.temperature, SolveRun.evolution, SolveRun.status,
        SolveRun.phase, SolveRun.progress, SolveRun.retry_count, SolveRun.parent_run_id, SolveRun.tests_passed,
        SolveRun.goal_checks_passed, SolveRun.loc_changed, SolveRun.files_changed, SolveRun.files_modified,
        SolveRun.tokens, SolveRun.cost_usd, SolveRun.latency_ms, SolveRun.error_message, SolveRun.diagnostics,
        SolveRun.trajectory_data, SolveRun.implementation_summary, SolveRun.diff, SolveRun.phases,
        SolveRun.started_at, SolveRun.completed_at,
    ).where(SolveRun.experiment_id == experiment_id).order_by(SolveRun.created_at))


# --- timeline and approvals --------------------------------------------------------------------

def timeline(session: Session, experiment_id: str, limit: int = 300) -> list[Row]:
    author = aliased(User)
    return _rows(session, select(
        TimelineEvent.created_at, TimelineEvent.type, TimelineEvent.stage, TimelineEvent.title,
        TimelineEvent.content, TimelineEvent.status, TimelineEvent.progress, TimelineEvent.author_type,
        author.email.label("author"), TimelineEvent.run_id,
    ).outerjoin(author, author.id == TimelineEvent.author_id)
     .where(TimelineEvent.experiment_id == experiment_id)
     .order_by(TimelineEvent.created_at.desc(), TimelineEvent.id).limit(limit))


def feedback(session: Session, experiment_id: str) -> list[Row]:
    author = aliased(User)
    return _rows(session, select(
        FeedbackItem.id, FeedbackItem.created_at, Variant.key.label("variant"), FeedbackItem.content,
        FeedbackItem.sent_to_agent_at, FeedbackItem.run_id, author.email.label("author"),
    ).outerjoin(Variant, Variant.id == FeedbackItem.variant_id).outerjoin(author, author.id == FeedbackItem.author_id)
     .where(FeedbackItem.experiment_id == experiment_id).order_by(FeedbackItem.created_at.desc()))


# --- system ------------------------------------------------------------------------------------

# The stages that run a simulated-user panel against the experiment's test session (and write
# browser_sessions when it is over).
PANEL_STAGES = (Stage.CONTROL_ANALYSIS, Stage.BROWSER_RESULTS)


def system_now(session: Session, experiment_id: str | None = None) -> Row:
    """Live counts from the tables (of one experiment, or all), so they are right even before the
    stats sampler has run.

    The pipeline leaves test sessions "ready" and flows "pending" (assets/test_flows.py) and writes a
    browser session only once it has finished ("completed" or "failed", assets/records.py). So a test
    session is active while a panel stage runs on its experiment (stage_runs, db/stages.py), and a flow
    has been executed once a browser session ran it to completion. The statuses are still honoured, so
    a writer that sets them later is counted too.
    """
    panel_running = select(StageRun.id).where(
        StageRun.experiment_id == TestSession.experiment_id, StageRun.status == "running",
        StageRun.stage.in_(PANEL_STAGES)).exists()
    flow_ran = select(BrowserSession.id).where(
        BrowserSession.flow_id == TestFlow.id, BrowserSession.status == "completed").exists()
    active = select(func.count()).select_from(TestSession).where(
        (TestSession.status == "running") | panel_running)
    executed = select(func.count()).select_from(TestFlow).where((TestFlow.status == "completed") | flow_ran)
    browsers = select(func.count()).where(BrowserSession.status.in_(("starting", "running")))
    completed = select(func.count()).where(BrowserSession.status == "completed")
    if experiment_id:
        active = active.where(TestSession.experiment_id == experiment_id)
        executed = executed.join(TestSession, TestSession.id == TestFlow.session_id).where(
            TestSession.experiment_id == experiment_id)
        browsers = browsers.where(BrowserSession.experiment_id == experiment_id)
        completed = completed.where(BrowserSession.experiment_id == experiment_id)
    return {
        "active_sessions": session.scalar(active) or 0,
        "active_browsers": session.scalar(browsers) or 0,
        "flows_executed": session.scalar(executed) or 0,
        "sessions_completed": session.scalar(completed) or 0,
    }


def execution_logs(session: Session, *, levels: list[str], experiment_id: str | None = None,
                   limit: int = 300) -> list[Row]:
    query = select(
        ExecutionLog.timestamp, ExecutionLog.level, ExecutionLog.stage, ExecutionLog.message,
        ExecutionLog.experiment_id, ExecutionLog.browser_session_id,
    ).where(ExecutionLog.level.in_(levels))
    if experiment_id:
        query = query.where(ExecutionLog.experiment_id == experiment_id)
    return _rows(session, query.order_by(ExecutionLog.timestamp.desc()).limit(limit))


def log_level_counts(session: Session, experiment_id: str | None = None) -> dict[str, int]:
    query = select(ExecutionLog.level, func.count()).group_by(ExecutionLog.level)
    if experiment_id:
        query = query.where(ExecutionLog.experiment_id == experiment_id)
    return dict(session.execute(query).all())


def recent_stage_runs(session: Session, experiment_id: str | None = None, limit: int = 100) -> list[Row]:
    query = select(
        StageRun.experiment_id, Experiment.name.label("experiment"), StageRun.stage, StageRun.status,
        StageRun.progress, StageRun.dagster_run_id, StageRun.error_message, StageRun.started_at,
        StageRun.completed_at,
    ).join(Experiment, Experiment.id == StageRun.experiment_id)
    if experiment_id:
        query = query.where(StageRun.experiment_id == experiment_id)
    return _rows(session, query.order_by(StageRun.started_at.desc(), StageRun.id).limit(limit))


# --- human evaluation --------------------------------------------------------------------------

def playgrounds(session: Session, experiment_id: str | None = None) -> list[Row]:
    query = select(
        Playground.id, Playground.name, Playground.type, Playground.is_active, Playground.experiment_id,
        Playground.restricted_emails, Playground.description, Playground.support_text, Playground.created_at,
    ).order_by(Playground.created_at.desc())
    if experiment_id:
        query = query.where(Playground.experiment_id == experiment_id)
    return _rows(session, query)


def arms(session: Session, playground_id: str) -> list[Row]:
    return _rows(session, select(
        Arm.id, Arm.model_key, Arm.model_name, Arm.variant_id, Arm.embed_code, Arm.max_evaluations,
        func.coalesce(EvaluationCounter.current_count, 0).label("current_count"),
    ).outerjoin(EvaluationCounter, and_(EvaluationCounter.playground_id == Arm.playground_id,
                                        EvaluationCounter.model_key == Arm.model_key))
     .where(Arm.playground_id == playground_id).order_by(Arm.model_key))


def questions(session: Session, playground_id: str) -> list[Row]:
    return _rows(session, select(
        Question.id, Question.model_key, Question.question_text, Question.question_type, Question.options,
        Question.order_index, Question.required,
    ).where(Question.playground_id == playground_id).order_by(Question.order_index, Question.id))


def playground_summary(session: Session, playground_id: str) -> Row:
    rows = _rows(session, text(
        "SELECT total_testers, total_evaluations, total_answers, avg_rating FROM playground_metrics WHERE id = :p"
    ).bindparams(p=playground_id))
    return rows[0] if rows else {"total_testers": 0, "total_evaluations": 0, "total_answers": 0, "avg_rating": None}


def answer_distribution(session: Session, playground_id: str) -> list[Row]:
    """Select-question answers per arm (the question_metrics view's counts, filtered before grouping)."""
    return _rows(session, text(
        "SELECT q.id AS question_id, q.question_text, e.model_key, e.answer_value, COUNT(e.id) AS response_count "
        "FROM questions q JOIN evaluations e ON e.question_id = q.id "
        "WHERE q.playground_id = :p AND q.question_type = 'select' AND e.playground_id = :p "
        "GROUP BY q.id, q.question_text, e.model_key, e.answer_value ORDER BY q.question_text, e.model_key"
    ).bindparams(p=playground_id))


def open_responses(session: Session, playground_id: str, limit: int = 200) -> list[Row]:
    return _rows(session, text(
        "SELECT model_key, question_text, answer_text, created_at FROM open_responses "
        "WHERE playground_id = :p ORDER BY created_at DESC LIMIT :n"
    ).bindparams(p=playground_id, n=limit))


def audit_trail(session: Session, resource_ids: list[str], limit: int = 100) -> list[Row]:
    actor = aliased(User)
    return _rows(session, select(
        AuditLog.created_at, actor.email.label("actor"), AuditLog.action, AuditLog.resource_type,
        AuditLog.resource_id, AuditLog.old_values, AuditLog.new_values,
    ).outerjoin(actor, actor.id == AuditLog.user_id).where(AuditLog.resource_id.in_(resource_ids))
     .order_by(AuditLog.created_at.desc()).limit(limit))
