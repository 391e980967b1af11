"""Human A/B evaluation, tester side (generalised from an A/B of two models to N arms): assignment and submission.

The admin side (create_playground, update_playground, add_question, set_arm_cap, delete_playground)
lives in db/playgrounds.py and the SQL aggregates in db/evaluation_stats.py; both are re-exported
here so callers have one module for the whole feature.

One submission is one session: an anchor row (question_id NULL, carrying the rating) plus one row
per answered question, all sharing a session_id, written in the caller's transaction together with
the counter increment. So "sessions = anchor rows = counter" holds at every commit.

On PostgreSQL the database writes those rows (db/evaluation_leases.py): `next_arm` leases a slot of
the arm it picks, so a tester who is shown an arm keeps a place under its cap while answering, and
`submit_evaluation` submits through that lease (or a new one). On SQLite, which has no roles, the
service writes the rows itself under the same rules.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from db.base import utcnow
from db.evaluation_leases import claim_slot, submit_through_lease
from db.evaluation_stats import evaluation_stats, pairwise_preferences, preference_comparisons
from db.models import Arm, Evaluation, EvaluationCounter, Playground, Question, User
from db.playgrounds import (
    ArmSpec,
    QuestionSpec,
    add_question,
    arms_for_experiment,
    create_playground,
    delete_playground,
    set_arm_cap,
    update_playground,
)
from db.rls import visible_playgrounds_clause
from db.users import require_role
from ids import new_id

MAX_ANSWER_CHARS = 10_000
_counters = EvaluationCounter.__table__


class EvaluationRefused(Exception):
    """A tester cannot evaluate (now); `kind` is machine-readable, the message is for the tester."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # full | inactive | restricted | done | invalid | unknown | busy


def _playground_for(session: Session, playground_id: str, user: User) -> Playground:
    require_role(user, "tester")
    # Under RLS (db.rls.tester_session) an inactive or restricted playground is simply not there.
    playground = session.get(Playground, playground_id)
    if playground is None:
        raise EvaluationRefused(f"playground {playground_id} does not exist or is not open to you", "unknown")
    if not playground.is_active:
        raise EvaluationRefused(f"playground {playground.name!r} is not active", "inactive")
    if playground.restricted_emails is not None and user.email.lower() not in playground.restricted_emails:
        raise EvaluationRefused(f"playground {playground.name!r} is restricted to invited testers", "restricted")
    return playground


def _mine(session: Session, playground_id: str, user: User, model_key: str | None = None) -> dict[str, int]:
    """Sessions this tester has submitted per arm (anchor rows only, one per session)."""
    query = (
        select(Evaluation.model_key, func.count())
        .where(Evaluation.playground_id == playground_id, Evaluation.user_id == user.id,
               Evaluation.question_id.is_(None))
        .group_by(Evaluation.model_key)
    )
    if model_key is not None:
        query = query.where(Evaluation.model_key == model_key)
    return dict(session.execute(query).all())


def next_arm(session: Session, playground_id: str, user: User, rng: random.Random | None = None) -> Arm:
    """The arm this tester should evaluate next.

    Random among the arms still under their cap that the tester has seen least (first visit: any
    arm; then the arm(s) not yet seen). On an A/B playground a tester evaluates each arm once; on a
    tuning playground they may come back until the cap is reached. On PostgreSQL the arm comes with a
    lease on one of its slots; an arm whose remaining slots are all leased to others is skipped.
    """
    playground = _playground_for(session, playground_id, user)
    rows = session.execute(
        select(Arm, EvaluationCounter.current_count)
        .join(EvaluationCounter, and_(EvaluationCounter.playground_id == Arm.playground_id,
                                      EvaluationCounter.model_key == Arm.model_key))
        .where(Arm.playground_id == playground_id)
        .order_by(Arm.model_key)
    ).all()
    mine = _mine(session, playground_id, user)
    if playground.type == "ab_testing" and rows and all(mine.get(arm.model_key, 0) for arm, _ in rows):
        raise EvaluationRefused("you have already evaluated every arm of this playground", "done")
    open_arms = [arm for arm, count in rows if count < arm.max_evaluations]
    if playground.type == "ab_testing":
        open_arms = [arm for arm in open_arms if not mine.get(arm.model_key, 0)]
    rng = rng or random.Random()
    held_by_others = False
    while open_arms:
        fewest = min(mine.get(arm.model_key, 0) for arm in open_arms)
        arm = rng.choice([arm for arm in open_arms if mine.get(arm.model_key, 0) == fewest])
        if not _postgres(session):
            return arm
        claim = claim_slot(session, playground_id, arm.model_key, user.id)
        if claim.outcome == "leased":
            return arm
        if claim.outcome in ("unknown", "busy"):  # closed or restricted since it was read above; or locked
            raise _refusal(claim.outcome, playground, arm.model_key)
        held_by_others = held_by_others or claim.outcome == "held"
        open_arms.remove(arm)
    if held_by_others:
        raise EvaluationRefused(f"the remaining slots of {playground.name!r} are being evaluated right now; "
                                "try again in a few minutes", "full")
    raise EvaluationRefused(f"playground {playground.name!r} has reached its evaluation limit", "full")


def _clean_answers(questions: list[Question], answers: Mapping[str, Any]) -> list[tuple[Question, str]]:
    by_id = {q.id: q for q in questions}
    unknown = sorted(set(answers) - set(by_id))
    if unknown:
        raise EvaluationRefused(f"unknown question(s) for this arm: {', '.join(unknown)}", "invalid")
    cleaned: list[tuple[Question, str]] = []
    for question in questions:
        raw = answers.get(question.id)
        value = raw.strip() if isinstance(raw, str) else raw
        if value is None or value == "":
            if question.required:
                raise EvaluationRefused(f"question {question.question_text!r} needs an answer", "invalid")
            continue
        if not isinstance(value, str):
            raise EvaluationRefused(f"answer to {question.question_text!r} must be text", "invalid")
        if question.question_type == "select":
            allowed = [o["value"] for o in question.options or []]
            if value not in allowed:
                raise EvaluationRefused(
                    f"{value!r} is not an option of {question.question_text!r} ({', '.join(allowed)})", "invalid")
        elif len(value) > MAX_ANSWER_CHARS:
            raise EvaluationRefused(f"answer to {question.question_text!r} exceeds {MAX_ANSWER_CHARS} characters",
                                    "invalid")
        cleaned.append((question, value))
    return cleaned


def _increment(session: Session, playground_id: str, model_key: str, delta: int) -> int:
    """One conditional UPDATE; the database serialises concurrent increments on the counter row."""
    cap = select(Arm.max_evaluations).where(Arm.playground_id == playground_id, Arm.model_key == model_key)
    condition = [_counters.c.playground_id == playground_id, _counters.c.model_key == model_key]
    if delta > 0:
        condition.append(_counters.c.current_count < cap.scalar_subquery())
    result = session.execute(
        update(_counters).where(*condition)
        .values(current_count=_counters.c.current_count + delta, updated_at=utcnow())
    )
    return result.rowcount


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _claim(session: Session, playground: Playground, user: User, model_key: str) -> str:
    """SQLite: count one session against the arm's cap: 'counted', or why not ('full', 'done').

    The conditional UPDATE takes the write lock, then the duplicate check runs and undoes the increment.
    """
    if _increment(session, playground.id, model_key, +1) != 1:
        return "full"
    if playground.type == "ab_testing" and _mine(session, playground.id, user, model_key):
        _increment(session, playground.id, model_key, -1)
        return "done"
    return "counted"


def _write_rows(session: Session, playground: Playground, user: User, model_key: str,
                cleaned: list[tuple[Question, str]], rating: int | None) -> str:
    """SQLite: the session's rows, written by the service after `_claim` counted them."""
    outcome = _claim(session, playground, user, model_key)
    if outcome != "counted":
        raise _refusal(outcome, playground, model_key)
    session_id = new_id("evaluation_session")
    common = {"playground_id": playground.id, "user_id": user.id, "model_key": model_key, "session_id": session_id}
    rows = [Evaluation(**common, question_id=None, rating=rating)]
    for question, value in cleaned:
        column = "answer_value" if question.question_type == "select" else "answer_text"
        rows.append(Evaluation(**common, question_id=question.id, **{column: value}))
    session.add_all(rows)
    session.flush()
    return session_id


def _submit_in_database(session: Session, playground: Playground, user: User, model_key: str,
                        cleaned: list[tuple[Question, str]], rating: int | None) -> str:
    """PostgreSQL: the tester's live lease on the arm (from next_arm) or a new one, then the database writes."""
    claim = claim_slot(session, playground.id, model_key, user.id)
    if claim.lease_id is None:
        raise _refusal(claim.outcome, playground, model_key)
    answers = {question.id: value for question, value in cleaned}
    submission = submit_through_lease(session, claim.lease_id, rating, answers, user.id)
    if submission.session_id is None:
        raise _refusal(submission.outcome, playground, model_key)
    return submission.session_id


def _refusal(outcome: str, playground: Playground, model_key: str) -> EvaluationRefused:
    if outcome == "full":
        return EvaluationRefused(f"arm {model_key!r} of {playground.name!r} has reached its evaluation limit", "full")
    if outcome == "held":
        return EvaluationRefused(f"the remaining slots of arm {model_key!r} of {playground.name!r} are being "
                                 "evaluated right now; try again in a few minutes", "full")
    if outcome == "done":
        return EvaluationRefused(f"you have already evaluated arm {model_key!r}", "done")
    if outcome == "busy":
        return EvaluationRefused(f"arm {model_key!r} of {playground.name!r} is busy; please try again in a moment",
                                 "busy")
    if outcome == "expired":  # the lease ran out between claim and submit, within one transaction
        return EvaluationRefused("your evaluation slot expired; please submit again", "full")
    if outcome == "invalid":  # the service validated first: the questions changed meanwhile
        return EvaluationRefused(f"the questions of {playground.name!r} changed; please answer again", "invalid")
    # unknown: the database no longer shows this playground to the tester (closed meanwhile)
    return EvaluationRefused(f"playground {playground.id} does not exist or is not open to you", "unknown")


def submit_evaluation(
    session: Session, playground_id: str, user: User, model_key: str, answers: Mapping[str, Any],
    rating: int | None,
) -> str:
    """Record one evaluation session and count it against the arm's cap; returns the session_id.

    Validation happens before any write. The claim locks the arm's counter row until commit, so the
    cap and the duplicate check made under that lock see every committed session of this tester on
    this arm (a concurrent double submit is refused, and nothing is counted for it).
    """
    playground = _playground_for(session, playground_id, user)
    arm = session.scalar(select(Arm).where(Arm.playground_id == playground_id, Arm.model_key == model_key))
    if arm is None:
        raise EvaluationRefused(f"playground {playground.name!r} has no arm {model_key!r}", "invalid")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5):
        raise EvaluationRefused(f"rating must be a whole number from 1 to 5, got {rating!r}", "invalid")
    questions = list(session.scalars(
        select(Question)
        .where(Question.playground_id == playground_id,
               (Question.model_key.is_(None)) | (Question.model_key == model_key))
        .order_by(Question.order_index, Question.id)
    ))
    cleaned = _clean_answers(questions, answers)
    write = _submit_in_database if _postgres(session) else _write_rows
    return write(session, playground, user, model_key, cleaned, rating)


def visible_playgrounds(session: Session, user: User) -> list[Playground]:
    """Playgrounds this tester may open (the tester RLS policy, enforced in SQL on both dialects)."""
    query = select(Playground).where(visible_playgrounds_clause(session, user)).order_by(Playground.created_at)
    return list(session.scalars(query))


def own_evaluations(session: Session, user: User, playground_id: str | None = None) -> list[Evaluation]:
    query = select(Evaluation).where(Evaluation.user_id == user.id)
    if playground_id is not None:
        query = query.where(Evaluation.playground_id == playground_id)
    return list(session.scalars(query.order_by(Evaluation.created_at, Evaluation.id)))


__all__ = [
    "ArmSpec", "EvaluationRefused", "QuestionSpec", "add_question", "arms_for_experiment", "create_playground",
    "delete_playground", "evaluation_stats", "next_arm", "own_evaluations", "pairwise_preferences",
    "preference_comparisons", "require_role", "set_arm_cap", "submit_evaluation", "update_playground",
    "visible_playgrounds",
]
