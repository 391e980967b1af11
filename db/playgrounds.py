"""Admin side of human evaluation: playgrounds, their arms and questions, all audited.

Every function here takes the acting user's id, refuses anyone but the admin who created the
playground (the same rule as the admin RLS policy), and writes one audit_log row with the old and
new values in the caller's transaction, so an action and its record commit or vanish together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Arm, EvaluationCounter, Experiment, Playground, Question, User, Variant
from db.models.enums import PLAYGROUND_TYPE, QUESTION_TYPE
from db.users import PermissionDenied, audit, get_user, normalise_email, require_role
from db.validation import InvalidInput, validate_cap, validate_name, validate_text

_MODEL_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")
UPDATABLE = ("name", "description", "support_text", "is_active", "restricted_emails")


@dataclass(frozen=True)
class ArmSpec:
    model_key: str  # the variant's key ("control", "v1", ...)
    max_evaluations: int
    model_name: str | None = None
    variant_id: str | None = None
    embed_code: str | None = None  # the variant's preview URL


@dataclass(frozen=True)
class QuestionSpec:
    question_text: str
    question_type: str  # select | input_string
    options: list[dict[str, str]] | None = None  # [{"label", "value"}] for select
    required: bool = True
    order_index: int | None = None  # None: after the existing questions
    model_key: str | None = None  # None: asked for every arm


def arms_for_experiment(session: Session, experiment_id: str, max_evaluations: int) -> list[ArmSpec]:
    """One arm per variant of the experiment, control first, each previewed at its public URL."""
    variants = session.scalars(select(Variant).where(Variant.experiment_id == experiment_id)).all()
    ordered = sorted(variants, key=lambda v: (v.type != "control", v.key))
    return [
        ArmSpec(model_key=v.key, max_evaluations=max_evaluations, model_name=v.suggestion or v.key,
                variant_id=v.id, embed_code=v.public_url)
        for v in ordered
    ]


def _admin(session: Session, actor_id: str) -> User:
    actor = get_user(session, actor_id)
    require_role(actor, "admin")
    return actor


def _owned(session: Session, playground_id: str, actor_id: str) -> Playground:
    _admin(session, actor_id)
    playground = session.get(Playground, playground_id)
    if playground is None:
        raise InvalidInput(f"unknown playground {playground_id}")
    if playground.created_by != actor_id:
        raise PermissionDenied(f"playground {playground_id} belongs to another admin")
    return playground


def _text(value: Any, what: str, limit: int = 255) -> str:
    # The service checks what the dashboard's forms check, so a caller that skips the form (the CLI, a
    # script, a test) cannot store an escape sequence that testers' terminals or pages would replay.
    if not isinstance(value, str):
        raise InvalidInput(f"{what}: not text; give a short plain-text name")
    return validate_name(value, what, limit=limit)


def _free_text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{what}: not text; give plain text")
    return validate_text(value, what)


def _emails(emails: list[str] | None) -> list[str] | None:
    if emails is None:
        return None
    cleaned = sorted({normalise_email(e) for e in emails})
    if not cleaned:
        raise InvalidInput("restricted_emails is empty; give at least one email, or None for every tester")
    return cleaned


def _check_arms(session: Session, type_: str, arms: list[ArmSpec], experiment_id: str | None) -> None:
    if type_ == "tuning" and len(arms) != 1:
        raise InvalidInput(f"a tuning playground has exactly one arm, got {len(arms)}")
    if type_ == "ab_testing" and len(arms) < 2:
        raise InvalidInput(f"an A/B playground needs at least two arms, got {len(arms)}")
    keys = [a.model_key for a in arms]
    if len(set(keys)) != len(keys):
        raise InvalidInput(f"arm keys must be unique, got {keys}")
    for arm in arms:
        if not _MODEL_KEY.match(arm.model_key):
            raise InvalidInput(f"arm key {arm.model_key!r} must be 1-50 letters, digits, '.', '_' or '-'")
        validate_cap(arm.max_evaluations, f"arm {arm.model_key}: max_evaluations")
        if arm.variant_id is not None:
            variant = session.get(Variant, arm.variant_id)
            if variant is None or variant.experiment_id != experiment_id:
                raise InvalidInput(f"arm {arm.model_key}: variant {arm.variant_id} is not a variant of {experiment_id}")


def _check_question(spec: QuestionSpec, arm_keys: set[str]) -> None:
    if not isinstance(spec.question_text, str) or not validate_text(spec.question_text, "question_text", limit=2000):
        raise InvalidInput("question_text: empty; give the question testers answer, as plain text")
    if spec.question_type not in QUESTION_TYPE:
        raise InvalidInput(f"question_type must be one of {', '.join(QUESTION_TYPE)}, got {spec.question_type!r}")
    if spec.model_key is not None and spec.model_key not in arm_keys:
        raise InvalidInput(f"question for unknown arm {spec.model_key!r}")
    if spec.question_type == "input_string":
        if spec.options:
            raise InvalidInput("an input_string question takes no options")
        return
    options = spec.options or []
    values = [o.get("value") if isinstance(o, dict) else None for o in options]
    if len(options) < 2 or not all(isinstance(o, dict) and isinstance(o.get("label"), str) and o["label"].strip()
                                   for o in options):
        raise InvalidInput("a select question needs at least two options, each with a non-empty label")
    if not all(isinstance(v, str) and v and len(v) <= 255 for v in values) or len(set(values)) != len(values):
        raise InvalidInput("select option values must be unique non-empty strings of at most 255 characters")


def _question(playground_id: str, spec: QuestionSpec, order_index: int) -> Question:
    options = [{"label": o["label"].strip(), "value": o["value"]} for o in spec.options or []] or None
    return Question(playground_id=playground_id, model_key=spec.model_key, question_text=spec.question_text.strip(),
                    question_type=spec.question_type, options=options, required=bool(spec.required),
                    order_index=spec.order_index if spec.order_index is not None else order_index)


def snapshot(playground: Playground, arms: list[Arm], questions: list[Question]) -> dict[str, Any]:
    """JSON-ready state of a playground, for audit rows."""
    return {
        **{k: getattr(playground, k) for k in ("name", "type", "experiment_id", *UPDATABLE[1:])},
        "arms": [{"model_key": a.model_key, "max_evaluations": a.max_evaluations, "variant_id": a.variant_id,
                  "embed_code": a.embed_code} for a in arms],
        "questions": [_question_values(q) for q in questions],
    }


def _question_values(q: Question) -> dict[str, Any]:
    return {"id": q.id, "question_text": q.question_text, "question_type": q.question_type, "options": q.options,
            "required": q.required, "order_index": q.order_index, "model_key": q.model_key}


def create_playground(
    session: Session, *, experiment_id: str | None, name: str, type: str, created_by: str,
    arms: list[ArmSpec], questions: list[QuestionSpec], restricted_emails: list[str] | None,
    description: str | None = None, support_text: str | None = None, ip_address: str | None = None,
) -> Playground:
    """A playground with one arm and one zeroed counter per arm, and its questions; admin only."""
    _admin(session, created_by)
    if type not in PLAYGROUND_TYPE:
        raise InvalidInput(f"type must be one of {', '.join(PLAYGROUND_TYPE)}, got {type!r}")
    if experiment_id is not None and session.get(Experiment, experiment_id) is None:
        raise InvalidInput(f"unknown experiment {experiment_id}")
    _check_arms(session, type, arms, experiment_id)
    for spec in questions:
        _check_question(spec, {a.model_key for a in arms})
    playground = Playground(experiment_id=experiment_id, name=_text(name, "name"), type=type,
                            description=_free_text(description, "description"),
                            support_text=_free_text(support_text, "support_text"), created_by=created_by,
                            is_active=True, restricted_emails=_emails(restricted_emails))
    session.add(playground)
    session.flush()
    arm_rows = [Arm(playground_id=playground.id, model_key=a.model_key, model_name=a.model_name or a.model_key,
                    variant_id=a.variant_id, embed_code=a.embed_code, max_evaluations=a.max_evaluations) for a in arms]
    counters = [EvaluationCounter(playground_id=playground.id, model_key=a.model_key, current_count=0) for a in arms]
    question_rows = [_question(playground.id, spec, i) for i, spec in enumerate(questions)]
    session.add_all([*arm_rows, *counters, *question_rows])
    session.flush()
    audit(session, actor_id=created_by, action="playground.create", resource_type="playground",
          resource_id=playground.id, old_values=None, new_values=snapshot(playground, arm_rows, question_rows),
          ip_address=ip_address)
    return playground


def update_playground(
    session: Session, playground_id: str, actor_id: str, *, ip_address: str | None = None, **changes: Any
) -> Playground:
    """Change name, description, support_text, is_active or restricted_emails; audited with old and new."""
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown or not changes:
        raise InvalidInput(f"can update only {', '.join(UPDATABLE)}; got {', '.join(unknown) or 'nothing'}")
    playground = _owned(session, playground_id, actor_id)
    if "name" in changes:
        changes["name"] = _text(changes["name"], "name")
    for key in ("description", "support_text"):
        if key in changes:
            changes[key] = _free_text(changes[key], key)
    if "is_active" in changes and not isinstance(changes["is_active"], bool):
        raise InvalidInput("is_active must be true or false")
    if "restricted_emails" in changes:
        changes["restricted_emails"] = _emails(changes["restricted_emails"])
    old = {key: getattr(playground, key) for key in changes}
    for key, value in changes.items():
        setattr(playground, key, value)
    session.flush()
    audit(session, actor_id=actor_id, action="playground.update", resource_type="playground",
          resource_id=playground_id, old_values=old, new_values=dict(changes), ip_address=ip_address)
    return playground


def add_question(
    session: Session, playground_id: str, actor_id: str, spec: QuestionSpec, *, ip_address: str | None = None
) -> Question:
    playground = _owned(session, playground_id, actor_id)
    keys = set(session.scalars(select(Arm.model_key).where(Arm.playground_id == playground.id)))
    _check_question(spec, keys)
    existing = session.scalars(select(Question.order_index).where(Question.playground_id == playground_id)).all()
    question = _question(playground_id, spec, max(existing, default=-1) + 1)
    session.add(question)
    session.flush()
    audit(session, actor_id=actor_id, action="question.create", resource_type="question", resource_id=question.id,
          old_values=None, new_values={"playground_id": playground_id, **_question_values(question)},
          ip_address=ip_address)
    return question


def set_arm_cap(
    session: Session, playground_id: str, actor_id: str, model_key: str, max_evaluations: int,
    *, ip_address: str | None = None,
) -> Arm:
    """A new cap for one arm; lowering it below the current count just closes the arm."""
    _owned(session, playground_id, actor_id)
    validate_cap(max_evaluations, "max_evaluations")
    arm = session.scalar(select(Arm).where(Arm.playground_id == playground_id, Arm.model_key == model_key))
    if arm is None:
        raise InvalidInput(f"playground {playground_id} has no arm {model_key!r}")
    old = arm.max_evaluations
    arm.max_evaluations = max_evaluations
    session.flush()
    audit(session, actor_id=actor_id, action="arm.set_cap", resource_type="arm", resource_id=arm.id,
          old_values={"model_key": model_key, "max_evaluations": old},
          new_values={"model_key": model_key, "max_evaluations": max_evaluations}, ip_address=ip_address)
    return arm


def delete_playground(session: Session, playground_id: str, actor_id: str, *, ip_address: str | None = None) -> None:
    """Delete a playground; the database cascades to its arms, counters, questions and evaluations."""
    playground = _owned(session, playground_id, actor_id)
    arms = list(session.scalars(select(Arm).where(Arm.playground_id == playground_id)))
    questions = list(session.scalars(select(Question).where(Question.playground_id == playground_id)))
    old = snapshot(playground, arms, questions)
    session.delete(playground)
    session.flush()
    audit(session, actor_id=actor_id, action="playground.delete", resource_type="playground",
          resource_id=playground_id, old_values=old, new_values=None, ip_address=ip_address)
