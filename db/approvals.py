"""The approval workflow (seed 003) and feedback that goes back to the code agent.

proposed → implementing → beta → in_review (an analyst approves the champion) → verified (an admin
verifies). Every function checks the actor's role itself, from the database, so a caller that
skips the UI check (or forges it) is still refused; every change writes a timeline event and an
audit row with the old and new values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.base import utcnow
from db.experiments import add_event, get_experiment
from db.models import Experiment, FeedbackItem, User, Variant
from db.users import PermissionDenied, audit, get_user, require_role
from db.validation import InvalidInput

__all__ = ["PermissionDenied", "WorkflowError", "approve_champion", "send_feedback", "verify"]

MAX_FEEDBACK_CHARS = 4000
# The pipeline moves proposed → implementing → beta; people move the rest.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("implementing",),
    "implementing": ("beta",),
    "beta": ("in_review", "implementing"),
    "in_review": ("verified", "beta"),
    "verified": (),
}


class WorkflowError(ValueError):
    """The experiment is not in a state where this step is allowed."""


def _actor(session: Session, actor_id: str, *roles: str) -> User:
    actor = get_user(session, actor_id)
    require_role(actor, *roles)
    return actor


def _audit(session: Session, actor: User, action: str, experiment_id: str, old: dict[str, Any],
           new: dict[str, Any]) -> None:
    audit(session, actor_id=actor.id, action=action, resource_type="experiment", resource_id=experiment_id,
          old_values=old, new_values=new)


def _move(session: Session, experiment: Experiment, to: str, actor: User, event_type: str, title: str,
          content: str | None = None) -> None:
    old = experiment.workflow_status
    if to not in TRANSITIONS[old]:
        raise WorkflowError(f"experiment {experiment.id} is {old}; it cannot move to {to}")
    experiment.workflow_status = to
    add_event(session, experiment.id, event_type, title=title, content=content, author_id=actor.id,
              author_type="user", status="completed", data={"from": old, "to": to})
    _audit(session, actor, f"workflow.{event_type}", experiment.id, {"workflow_status": old}, {"workflow_status": to})


def approve_champion(session: Session, experiment_id: str, actor_id: str, note: str | None = None) -> Experiment:
    """An analyst (or admin) approves the champion variant: beta → in_review."""
    actor = _actor(session, actor_id, "analyst", "admin")
    experiment = get_experiment(session, experiment_id)
    if experiment.champion_variant_id is None:
        raise WorkflowError(f"experiment {experiment_id} has no champion variant to approve yet")
    _move(session, experiment, "in_review", actor, "user_approved", "Champion approved", note)
    experiment.approved_by_id, experiment.approved_at = actor.id, utcnow()
    return experiment


def verify(session: Session, experiment_id: str, actor_id: str, note: str | None = None) -> Experiment:
    """An admin verifies an approved champion: in_review → verified (production-ready)."""
    actor = _actor(session, actor_id, "admin")
    experiment = get_experiment(session, experiment_id)
    _move(session, experiment, "verified", actor, "admin_verified", "Verified by admin", note)
    experiment.verified_by_id, experiment.verified_at = actor.id, utcnow()
    return experiment


def send_feedback(session: Session, experiment_id: str, variant_id: str, actor_id: str, content: str) -> FeedbackItem:
    """Feedback on a variant, queued for the code agent as a refinement run (the pipeline picks it up).

    A pending approval is withdrawn (in_review → beta): the variant it approved is about to change.
    """
    actor = _actor(session, actor_id, "analyst", "admin")
    text = content.strip()
    if not text:
        raise InvalidInput("feedback is empty; say what the code agent should change")
    if len(text) > MAX_FEEDBACK_CHARS:
        raise InvalidInput(f"feedback is {len(text)} characters; the limit is {MAX_FEEDBACK_CHARS}")
    experiment = get_experiment(session, experiment_id)
    variant = session.scalar(select(Variant).where(Variant.id == variant_id, Variant.experiment_id == experiment_id))
    if variant is None or variant.type != "experiment":
        raise InvalidInput("feedback goes to one of this experiment's variants (not the control)")
    item = FeedbackItem(experiment_id=experiment_id, variant_id=variant.id, author_id=actor.id, content=text,
                        sent_to_agent_at=utcnow(), data={"variant_key": variant.key})
    session.add(item)
    session.flush()
    add_event(session, experiment_id, "feedback_added", title=f"Feedback on {variant.key}", content=text,
              author_id=actor.id, author_type="user", feedback_id=item.id, status="completed")
    add_event(session, experiment_id, "feedback_batch_sent", title=f"Refinement requested for {variant.key}",
              author_id=actor.id, author_type="user", feedback_id=item.id, status="pending",
              data={"variant_id": variant.id, "variant_key": variant.key, "feedback_ids": [item.id]})
    _audit(session, actor, "feedback.sent", experiment_id, {}, {"feedback_id": item.id, "variant": variant.key})
    if experiment.workflow_status == "in_review":
        _move(session, experiment, "beta", actor, "status_changed", "Approval withdrawn: refinement requested")
        experiment.approved_by_id, experiment.approved_at = None, None
    return item
