"""Creating, finding and listing experiments, and their timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.models import Experiment, TimelineEvent, Variant
from db.validation import (
    MAX_SUGGESTIONS,
    InvalidInput,
    validate_branch,
    validate_goal,
    validate_num_suggestions,
    validate_ref_exists,
    validate_repo,
)
from ids import has_prefix
from settings import get_settings


class UnknownExperiment(LookupError):
    pass


def create_experiment(
    session: Session,
    *,
    repo: str,
    goal: str,
    branch: str | None = None,
    num_suggestions: int | None = None,
    name: str | None = None,
    created_by_id: str | None = None,
    settings: dict[str, Any] | None = None,
) -> Experiment:
    """Validate everything first, then write; a validation error leaves the database untouched.

    `num_suggestions=None` takes the configured default (`default_num_suggestions`).
    """
    repo_url = validate_repo(repo)
    base_branch = validate_branch(branch)
    validate_ref_exists(repo_url, base_branch)
    goal_text = validate_goal(goal)
    n = default_num_suggestions() if num_suggestions is None else validate_num_suggestions(num_suggestions)
    experiment = Experiment(
        name=name or _default_name(repo_url),
        repo_url=repo_url,
        base_branch=base_branch,
        goal=goal_text,
        num_suggestions=n,
        created_by_id=created_by_id,
        settings=settings or {},
    )
    session.add(experiment)
    session.flush()
    add_event(session, experiment.id, "experiment_created", title="Experiment created", content=goal_text,
              author_id=created_by_id, author_type="user" if created_by_id else "system")
    return experiment


def default_num_suggestions() -> int:
    """VARIANTLAB_EXPERIMENT__NUM_SUGGESTIONS (3 unless set): how many changes to propose when not told.

    Validated like --suggestions, but the message names the variable: the user never typed a number.
    """
    n = get_settings().experiment.num_suggestions
    if not 1 <= n <= MAX_SUGGESTIONS:
        raise InvalidInput(
            f"VARIANTLAB_EXPERIMENT__NUM_SUGGESTIONS must be between 1 and {MAX_SUGGESTIONS}, got {n}")
    return n


def _default_name(repo_url: str) -> str:
    tail = repo_url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return tail.removesuffix(".git") or "experiment"


def get_experiment(session: Session, experiment_id: str) -> Experiment:
    if not has_prefix(experiment_id, "experiment"):
        raise UnknownExperiment(f"{experiment_id!r} is not an experiment id (expected exp_ followed by 16 characters)")
    experiment = session.get(Experiment, experiment_id)
    if experiment is None:
        raise UnknownExperiment(f"unknown experiment {experiment_id}")
    return experiment


def list_experiments(session: Session, limit: int | None = None) -> list[Experiment]:
    query = select(Experiment).order_by(Experiment.created_at.desc(), Experiment.id)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def variant_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Variant.experiment_id, func.count()).group_by(Variant.experiment_id))
    return {exp_id: count for exp_id, count in rows}


def set_status(session: Session, experiment: Experiment, status: str, error: str | None = None) -> None:
    if experiment.status == status and error is None:
        return
    old = experiment.status
    experiment.status = status
    experiment.error_message = error
    now = utcnow()
    if status == "running" and experiment.started_at is None:
        experiment.started_at = now
    if status in ("completed", "failed"):
        experiment.completed_at = now
    add_event(session, experiment.id, "status_changed", title=f"{old} → {status}", content=error,
              status="failed" if status == "failed" else "completed", data={"from": old, "to": status})


def add_event(session: Session, experiment_id: str, type_: str, **fields: Any) -> TimelineEvent:
    event = TimelineEvent(experiment_id=experiment_id, type=type_, **fields)
    session.add(event)
    return event


__all__ = [
    "InvalidInput", "UnknownExperiment", "add_event", "create_experiment", "default_num_suggestions",
    "get_experiment", "list_experiments", "set_status", "variant_counts",
]
