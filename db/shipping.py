"""What shipping a variant reads (the champion run's change and the evidence for it) and writes
(timeline events, the run's pull request link and commit, the variant's deploy fields)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.experiments import add_event, get_experiment
from db.models import BrowserSession, SolveRun, Suggestion, User, Variant, VariantMetric
from db.panel_stats import PRIMARY_METRIC
from db.stage_names import Stage
from db.validation import InvalidInput

# An analyst approved the champion (in_review), or an admin verified it since.
APPROVED_STATES = ("in_review", "verified")


@dataclass(frozen=True)
class MetricLine:
    metric: str
    type: str  # binomial | mean
    control_mean: float | None
    mean: float | None
    effect_abs: float | None
    ci_abs_low: float | None
    ci_abs_high: float | None
    p_value_adjusted: float | None
    significant: bool | None
    is_guardrail: bool
    guardrail_status: str | None  # ok | violated | inconclusive; None: not assessed
    error_code: str | None  # why the comparison could not be made


@dataclass(frozen=True)
class ShipCandidate:
    """One variant's champion run with everything a reviewer needs to judge it."""

    experiment_id: str
    experiment_name: str
    repo_url: str
    base_branch: str | None
    goal: str
    champion_reason: str | None
    variant_id: str
    variant_key: str
    is_champion: bool
    approved: bool  # the approval covers the champion only
    approved_by: str | None
    suggestion_title: str
    suggestion_rationale: str
    run_id: str | None  # None: the variant has no champion run to ship
    patch: str | None
    run_model: str
    run_strategy: str
    run_completed_at: dt.datetime | None
    files_modified: tuple[str, ...]
    tests_passed: bool | None
    tests_note: str | None
    no_tests: bool  # the app has no test command: the champion was chosen on its behavioural check
    sessions: tuple[tuple[str, int], ...]  # (variant key, panel sessions), control first
    primary: MetricLine | None
    guardrails: tuple[MetricLine, ...]
    shipped_url: str | None  # where the last ship of this run went


def champion_key(session: Session, experiment_id: str) -> str | None:
    experiment = get_experiment(session, experiment_id)
    if experiment.champion_variant_id is None:
        return None
    return session.get(Variant, experiment.champion_variant_id).key


def load_candidate(session: Session, experiment_id: str, variant_key: str) -> ShipCandidate:
    experiment = get_experiment(session, experiment_id)
    variants = {v.key: v for v in session.scalars(select(Variant).where(Variant.experiment_id == experiment_id))}
    variant = variants.get(variant_key)
    if variant is None or variant.type != "experiment":
        keys = ", ".join(sorted(k for k, v in variants.items() if v.type == "experiment")) or "none yet"
        raise InvalidInput(f"{experiment_id} has no variant {variant_key!r} to ship (variants: {keys})")
    run = session.get(SolveRun, variant.source_run_id) if variant.source_run_id else None
    suggestion = session.get(Suggestion, variant.suggestion_id) if variant.suggestion_id else None
    approver = session.get(User, experiment.approved_by_id) if experiment.approved_by_id else None
    is_champion = experiment.champion_variant_id == variant.id
    diagnostics = (run.diagnostics or {}) if run else {}
    metrics = _metric_lines(session, experiment_id, variants["control"].id if "control" in variants else None,
                            variant.id)
    return ShipCandidate(
        experiment_id=experiment.id, experiment_name=experiment.name, repo_url=experiment.repo_url,
        base_branch=experiment.base_branch, goal=experiment.goal, champion_reason=experiment.champion_reason,
        variant_id=variant.id, variant_key=variant.key, is_champion=is_champion,
        approved=is_champion and experiment.workflow_status in APPROVED_STATES and experiment.approved_at is not None,
        approved_by=approver.email if approver else None,
        suggestion_title=suggestion.title if suggestion else (variant.suggestion or variant.key),
        suggestion_rationale=suggestion.rationale if suggestion else "",
        run_id=run.id if run else None, patch=(run.diff if run else None) or variant.patch,
        run_model=run.model if run else "", run_strategy=run.evolution if run else "",
        run_completed_at=run.completed_at if run else None,
        files_modified=tuple(run.files_modified or ()) if run else (),
        tests_passed=run.tests_passed if run else None,
        tests_note=diagnostics.get("baseline") or diagnostics.get("note"),
        no_tests=bool(diagnostics.get("no_tests")),
        sessions=_sessions(session, experiment_id, variants),
        primary=next((m for m in metrics if m.metric == PRIMARY_METRIC), None),
        guardrails=tuple(m for m in metrics if m.is_guardrail),
        shipped_url=run.pr_url if run else None,
    )


def _sessions(session: Session, experiment_id: str, variants: dict[str, Variant]) -> tuple[tuple[str, int], ...]:
    counts = dict(session.execute(
        select(BrowserSession.variant_id, func.count()).where(BrowserSession.experiment_id == experiment_id,
                                                              BrowserSession.stage == Stage.BROWSER_RESULTS)
        .group_by(BrowserSession.variant_id)).all())
    ordered = sorted(variants.values(), key=lambda v: (v.type != "control", v.key))
    return tuple((v.key, counts.get(v.id, 0)) for v in ordered)


def _metric_lines(session: Session, experiment_id: str, control_id: str | None, variant_id: str) -> list[MetricLine]:
    rows = session.scalars(select(VariantMetric).where(
        VariantMetric.experiment_id == experiment_id, VariantMetric.source == "panel",
        VariantMetric.variant_id.in_([variant_id, control_id or variant_id]))).all()
    control = {m.metric: m.mean for m in rows if m.variant_id == control_id}
    return [MetricLine(metric=m.metric, type=m.type, control_mean=control.get(m.metric), mean=m.mean,
                       effect_abs=m.effect_abs, ci_abs_low=m.ci_abs_low, ci_abs_high=m.ci_abs_high,
                       p_value_adjusted=m.p_value_adjusted, significant=m.significant,
                       is_guardrail=m.is_guardrail, guardrail_status=m.guardrail_status, error_code=m.error_code)
            for m in sorted(rows, key=lambda m: m.metric) if m.variant_id == variant_id]


def record_started(session: Session, candidate: ShipCandidate, *, branch: str, actor_id: str | None) -> None:
    add_event(session, candidate.experiment_id, "ship_started", title=f"Shipping {candidate.variant_key}",
              content=f"branch {branch}", run_id=candidate.run_id, author_id=actor_id,
              author_type="user" if actor_id else "system", status="in_progress",
              data={"variant": candidate.variant_key, "branch": branch})


def record_failed(session: Session, candidate: ShipCandidate, *, branch: str, kind: str, reason: str,
                  actor_id: str | None) -> None:
    """Only an event: a refused ship changed nothing on the remote, so the variant's last deploy stands."""
    add_event(session, candidate.experiment_id, "ship_failed", title=f"Ship of {candidate.variant_key} refused",
              content=reason, run_id=candidate.run_id, author_id=actor_id,
              author_type="user" if actor_id else "system", status="failed",
              data={"variant": candidate.variant_key, "branch": branch, "refusal": kind})


@dataclass(frozen=True)
class ShipRecord:
    url: str  # the pull request, or where the pushed branch can be seen
    branch: str
    remote: str  # without credentials
    commit: str
    commit_message: str
    pull_request: int | None
    started_at: dt.datetime


def record_completed(session: Session, candidate: ShipCandidate, record: ShipRecord, *,
                     actor_id: str | None) -> None:
    run = session.get(SolveRun, candidate.run_id)
    run.pr_url, run.commit_hash, run.commit_message = record.url, record.commit, record.commit_message
    # Deploys belong to what is deployed: shipping is the variant's deploy to its repository.
    variant = session.get(Variant, candidate.variant_id)
    variant.deploy_status, variant.deploy_started_at, variant.deploy_completed_at = (
        "ready", record.started_at, utcnow())
    variant.deploy_logs = f"shipped {record.commit[:12]} to {record.remote} as {record.branch}: {record.url}"
    add_event(session, candidate.experiment_id, "ship_completed", title=f"Shipped {candidate.variant_key}",
              content=record.url, run_id=candidate.run_id, author_id=actor_id,
              author_type="user" if actor_id else "system", status="completed",
              data={"variant": candidate.variant_key, "branch": record.branch, "remote": record.remote,
                    "commit": record.commit, "url": record.url, "pull_request": record.pull_request})
