"""64 testers racing for 100 evaluation slots on PostgreSQL, each on its own connection as the tester role.

The cap must hold exactly, counters must equal the sessions written, and a transaction that dies
after submitting must leave nothing behind (no increment, no rows).
"""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from db import rls  # a module import: pytest would collect functions named test* imported here
from db.evaluations import EvaluationRefused, next_arm, submit_evaluation
from db.migrate import upgrade_to_head
from db.models import Evaluation, EvaluationCounter, User
from db.session import session_scope
from db.users import get_or_create_user
from tests.db.eval_world import World, make_world

TESTERS = 64


class Crash(Exception):
    """A worker dying after submitting, before its transaction commits."""


def _tester_loop(world: World, engine, user: User, seed: int, start: threading.Barrier) -> dict:
    rng = random.Random(seed)
    outcome: dict = {"accepted": [], "crashed": [], "refusal": None}
    start.wait()
    while True:
        crash = rng.random() < 0.15
        try:
            with rls.tester_session(engine, user) as s:
                key = next_arm(s, world.playground_id, user, rng).model_key
                session_id = submit_evaluation(s, world.playground_id, user, key,
                                               {world.like: rng.choice(["yes", "no"]), world.why: "fine"},
                                               rng.randint(1, 5))
                if crash:
                    outcome["crashed"].append(session_id)
                    raise Crash
            outcome["accepted"].append(session_id)
        except Crash:
            continue
        except EvaluationRefused as refusal:
            outcome["refusal"] = refusal
            return outcome


@pytest.mark.parametrize(("type_", "caps"), [("tuning", {"control": 100}), ("ab_testing", {"control": 50, "v1": 50})])
def test_cap_holds_exactly_under_concurrent_testers(pg_url: str, type_: str, caps: dict[str, int]) -> None:
    upgrade_to_head(pg_url)
    world = make_world(pg_url, type_=type_, caps=caps)
    with session_scope(pg_url) as s:
        users = [get_or_create_user(s, f"tester{i}@example.com") for i in range(TESTERS)]
    engine = create_engine(pg_url, poolclass=NullPool)  # one real connection per tester transaction
    start = threading.Barrier(TESTERS)
    try:
        with ThreadPoolExecutor(max_workers=TESTERS) as pool:
            outcomes = list(pool.map(lambda i: _tester_loop(world, engine, users[i], i, start), range(TESTERS)))
    finally:
        engine.dispose()

    accepted = [sid for o in outcomes for sid in o["accepted"]]
    crashed = [sid for o in outcomes for sid in o["crashed"]]
    assert len(accepted) == 100 and len(set(accepted)) == 100
    assert crashed, "the crash injection never fired, so rollback was not exercised"
    kinds = {o["refusal"].kind for o in outcomes}
    assert "full" in kinds and kinds <= {"full", "done"}
    assert all("evaluation limit" in str(o["refusal"]) for o in outcomes if o["refusal"].kind == "full")

    with session_scope(pg_url) as s:
        counters = dict(s.execute(select(EvaluationCounter.model_key, EvaluationCounter.current_count)
                                  .where(EvaluationCounter.playground_id == world.playground_id)).all())
        assert counters == caps
        per_session = s.execute(
            select(Evaluation.session_id, Evaluation.model_key, func.count(), func.count(Evaluation.question_id),
                   func.count(Evaluation.rating))
            .group_by(Evaluation.session_id, Evaluation.model_key)
        ).all()
        per_arm_pairs = s.execute(
            select(Evaluation.user_id, Evaluation.model_key, func.count())
            .where(Evaluation.question_id.is_(None)).group_by(Evaluation.user_id, Evaluation.model_key)
        ).all()
    assert {row[0] for row in per_session} == set(accepted)  # nothing from crashed or refused attempts
    assert all(rows == 3 and answers == 2 and ratings == 1 for _, _, rows, answers, ratings in per_session)
    for key, cap in caps.items():
        assert sum(1 for row in per_session if row[1] == key) == cap
    if type_ == "ab_testing":
        assert all(n == 1 for *_, n in per_arm_pairs)  # no tester evaluated an arm twice
