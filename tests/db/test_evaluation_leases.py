"""Leases through the service on PostgreSQL: next_arm holds a slot while the tester answers, unused
slots come back when the lease expires, and submitting uses the lease up."""

from __future__ import annotations

import psycopg2
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db import rls  # a module import: pytest would collect functions named test* imported here
from db.evaluations import EvaluationRefused, next_arm, submit_evaluation
from db.migrate import upgrade_to_head
from db.models import User
from db.session import get_engine, session_scope
from db.users import ensure_tester_login
from tests.db.eval_world import World, make_tester, make_world


def _leases(url: str) -> list[tuple[str, str]]:
    with session_scope(url) as s:
        return [tuple(r) for r in s.execute(text(
            "SELECT user_id, model_key FROM variantlab_rls.evaluation_leases ORDER BY user_id"))]


def _expire(url: str) -> None:
    with session_scope(url) as s:
        s.execute(text("UPDATE variantlab_rls.evaluation_leases SET expires_at = clock_timestamp() - interval '1s'"))


def _next(world: World, user: User) -> str:
    with rls.tester_session(get_engine(world.url), user) as s:
        return next_arm(s, world.playground_id, user).model_key


def _submit(world: World, user: User, key: str) -> str:
    with rls.tester_session(get_engine(world.url), user) as s:
        return submit_evaluation(s, world.playground_id, user, key, {world.like: "yes"}, 4)


def _refusal(action, *args) -> EvaluationRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(EvaluationRefused) as info:
        action(*args)
    return info.value


@pytest.fixture
def tuning(pg_url: str) -> World:
    upgrade_to_head(pg_url)
    return make_world(pg_url, type_="tuning", caps={"control": 1})


def test_the_arm_shown_to_a_tester_keeps_its_slot_until_the_lease_expires(tuning: World) -> None:
    alice, bob = make_tester(tuning.url, "alice@example.com"), make_tester(tuning.url, "bob@example.com")
    assert _next(tuning, alice) == "control"
    refused = _refusal(_next, tuning, bob)
    assert refused.kind == "full" and "being evaluated right now" in refused.reason
    _expire(tuning.url)  # Alice walked away
    assert _next(tuning, bob) == "control"
    refused = _refusal(_submit, tuning, alice, "control")  # her slot went to Bob meanwhile
    assert refused.kind == "full" and "being evaluated right now" in refused.reason
    _submit(tuning, bob, "control")
    assert _leases(tuning.url) == [(alice.id, "control")]  # hers expired unused; Bob's was used up
    assert _refusal(_next, tuning, alice).reason.endswith("has reached its evaluation limit")


def test_submitting_uses_the_lease_up_and_a_late_submit_claims_again(pg_url: str) -> None:
    upgrade_to_head(pg_url)
    world = make_world(pg_url, type_="tuning", caps={"control": 5})
    alice = make_tester(pg_url, "alice@example.com")
    _next(world, alice)
    assert _leases(pg_url) == [(alice.id, "control")]
    first = _submit(world, alice, "control")
    assert _leases(pg_url) == []
    _next(world, alice)
    _expire(pg_url)
    second = _submit(world, alice, "control")  # the lease ran out, but the arm has room: a new one is taken
    assert _leases(pg_url) == []
    with session_scope(pg_url) as s:
        sessions = s.execute(text("SELECT session_id, count(*), max(rating) FROM evaluations "
                                  "GROUP BY session_id ORDER BY session_id")).all()
        count = s.scalar(text("SELECT current_count FROM evaluation_counters"))
    assert sorted((first, second)) == [row[0] for row in sessions]
    assert [tuple(row[1:]) for row in sessions] == [(2, 4), (2, 4)] and count == 2


def test_an_arm_held_locked_by_an_open_transaction_refuses_after_a_bounded_wait(tuning: World) -> None:
    """Not an attack that is refused: one that is contained. A tester who claims and keeps the
    transaction open holds the arm's lock; others wait at most the functions' lock_timeout, then are
    told to retry, instead of hanging, and the arm works again as soon as that transaction ends."""
    alice, bob = make_tester(tuning.url, "alice@example.com"), make_tester(tuning.url, "bob@example.com")
    with session_scope(tuning.url) as s:
        login = ensure_tester_login(s, bob)
    where = make_url(tuning.url)
    holder = psycopg2.connect(host=where.host, port=where.port, dbname=where.database, user=login.role)
    try:
        holder.cursor().execute("SELECT claim_evaluation_slot(%s, 'control')", (tuning.playground_id,))
        refused = _refusal(_submit, tuning, alice, "control")
        assert refused.kind == "busy"
    finally:
        holder.close()  # its lease was never committed
    _submit(tuning, alice, "control")
    assert _leases(tuning.url) == []
