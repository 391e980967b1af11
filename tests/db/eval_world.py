"""A small seeded evaluation world shared by the evaluation, RLS and concurrency tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from db.evaluations import ArmSpec, QuestionSpec, create_playground
from db.models import Question, User
from db.session import session_scope
from db.users import get_or_create_user

LIKE = QuestionSpec("Did you find what you wanted?", "select",
                    [{"label": "Yes", "value": "yes"}, {"label": "No", "value": "no"},
                     {"label": "Partly", "value": "partly"}])
WHY = QuestionSpec("Why?", "input_string", required=False)


@dataclass
class World:
    url: str
    admin_id: str
    playground_id: str
    like: str  # question ids
    why: str


def make_world(url: str, *, type_: str = "ab_testing", caps: dict[str, int] | None = None,
               restricted_emails: list[str] | None = None) -> World:
    caps = caps or {"control": 10, "v1": 10}
    with session_scope(url) as session:
        admin = get_or_create_user(session, "admin@example.com", "admin")
        playground = create_playground(
            session, experiment_id=None, name="Find products", type=type_, created_by=admin.id,
            arms=[ArmSpec(key, cap, embed_code=f"http://127.0.0.1:9/{key}") for key, cap in caps.items()],
            questions=[LIKE, WHY], restricted_emails=restricted_emails,
        )
        ids = {q.question_text: q.id
               for q in session.scalars(select(Question).where(Question.playground_id == playground.id))}
        return World(url, admin.id, playground.id, ids[LIKE.question_text], ids[WHY.question_text])


def make_tester(url: str, email: str) -> User:
    with session_scope(url) as session:
        return get_or_create_user(session, email, "tester")
