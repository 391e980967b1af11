"""The approval workflow and feedback that goes back to the code agent.

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
from db.stage_names import Stage
from db.users import PermissionDenied, audit, get_user, require_role
from db.validation import InvalidInput

__all__ = ["PermissionDenied", "WorkflowError", "approve_champion", "pipeline_advanced", "send_feedback", "verify"]

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


# What the pipeline itself moves, and when: building variants makes the experiment "implementing"
# (also from beta: a rebuild replaces the variants an analyst would approve); the completing stage
# finishing makes it "beta", where its champion can be approved. Approved and verified experiments
# are people's decisions and the pipeline never moves them.
BUILDING_STAGE = Stage.VARIANT_IMPLEMENTATIONS
PIPELINE_MOVES: dict[tuple[str, str], tuple[str, ...]] = {
    (BUILDING_STAGE, "started"): ("implementing",),
    (Stage.VARIANT_METRICS, "completed"): ("implementing", "beta"),
}
PIPELINE_MAY_MOVE_FROM = ("proposed", "implementing", "beta")


def pipeline_advanced(session: Session, experiment: Experiment, stage: str, phase: str) -> list[str]:
    """Move the workflow as the pipeline's progress says (see PIPELINE_MOVES); the states moved through.

    Each step is a legal transition, recorded on the timeline as the system's and in the audit log
    with no actor, so the approval history reads the same whether a person or the pipeline moved it.
    """
    moved: list[str] = []
    for to in PIPELINE_MOVES.get((stage, phase), ()):
        old = experiment.workflow_status
        if old not in PIPELINE_MAY_MOVE_FROM or old == to or to not in TRANSITIONS[old]:
            continue
        experiment.workflow_status = to
        title = ("Variants are being built" if to == "implementing"
                 else "Ready for review: the champion can be approved")
        add_event(session, experiment.id, "status_changed", stage=stage, title=title, author_type="system",
                  status="completed", data={"from": old, "to": to, "workflow": True})
        audit(session, actor_id=None, action="workflow.pipeline", resource_type="experiment",
              resource_id=experiment.id, old_values={"workflow_status": old}, new_values={"workflow_status": to})
        moved.append(to)
    return moved


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
