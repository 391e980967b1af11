"""Row-level security: the database, not Python, filters what a tester sees (PostgreSQL), and the
service applies the same rules in its queries on both dialects (the SQLite stand-in)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db import rls  # a module import: pytest would collect functions named test* imported here
from db.evaluations import (
    next_arm,
    own_evaluations,
    submit_evaluation,
    update_playground,
    visible_playgrounds,
)
from db.ids import new_id
from db.migrate import upgrade_to_head
from db.session import get_engine, session_scope
from tests.db.eval_world import World, make_tester, make_world


def _as_tester(url: str, user, sql: str, **params) -> list[tuple]:
    """Raw SQL with no filter of ours: whatever comes back is what the policies let through."""
    with rls.tester_connection(get_engine(url), user) as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


@pytest.fixture
def worlds(pg_url: str) -> tuple[World, World, World]:
    upgrade_to_head(pg_url)
    public = make_world(pg_url)
    hidden = make_world(pg_url)
    restricted = make_world(pg_url, restricted_emails=["alice@example.com"])
    with session_scope(pg_url) as s:
        update_playground(s, hidden.playground_id, hidden.admin_id, is_active=False)
    return public, hidden, restricted


def test_tester_sees_only_own_evaluations_and_open_playgrounds(worlds: tuple[World, World, World]) -> None:
    public, hidden, restricted = worlds
    url = public.url
    alice, bob = make_tester(url, "alice@example.com"), make_tester(url, "bob@example.com")
    # Submitting through the tester role exercises the grants and WITH CHECK of the write path too.
    for user, like, why in ((alice, "yes", "alice's words"), (bob, "no", "bob's words")):
        with rls.tester_session(get_engine(url), user) as s:
            key = next_arm(s, public.playground_id, user).model_key
            submit_evaluation(s, public.playground_id, user, key, {public.like: like, public.why: why}, 5)
    with rls.tester_session(get_engine(url), alice) as s:
        submit_evaluation(s, restricted.playground_id, alice, "v1", {restricted.like: "partly"}, 3)

    users = _as_tester(url, alice, "SELECT DISTINCT user_id FROM evaluations")
    assert users == [(alice.id,)]
    assert len(_as_tester(url, bob, "SELECT id FROM evaluations")) == 3  # anchor + two answers
    assert _as_tester(url, bob, "SELECT answer_text FROM open_responses") == [("bob's words",)]
    assert _as_tester(url, alice, "SELECT answer_value, response_count FROM question_metrics "
                                  "WHERE question_id = :q AND response_count > 0", q=public.like) == [("yes", 1)]
    assert _as_tester(url, bob, "SELECT total_testers, total_evaluations FROM playground_metrics "
                                "WHERE id = :p", p=public.playground_id) == [(1, 1)]

    expected_alice = sorted([public.playground_id, restricted.playground_id])
    assert sorted(r[0] for r in _as_tester(url, alice, "SELECT id FROM playgrounds")) == expected_alice
    assert _as_tester(url, bob, "SELECT id FROM playgrounds") == [(public.playground_id,)]
    for world in (hidden, restricted):  # invisible all the way down, views included
        for sql in ("SELECT id FROM arms WHERE playground_id = :p", "SELECT id FROM questions WHERE playground_id = :p",
                    "SELECT id FROM evaluation_counters WHERE playground_id = :p",
                    "SELECT id FROM playground_metrics WHERE id = :p"):
            assert _as_tester(url, bob, sql, p=world.playground_id) == [], sql
    # Through the service on the tester role, the invisible playground is simply unknown.
    with rls.tester_session(get_engine(url), bob) as s:
        assert [p.id for p in visible_playgrounds(s, bob)] == [public.playground_id]
        assert {e.user_id for e in own_evaluations(s, bob)} == {bob.id}


def test_tester_cannot_write_as_someone_else_or_escape_the_role(worlds: tuple[World, World, World]) -> None:
    public = worlds[0]
    alice, bob = make_tester(public.url, "alice@example.com"), make_tester(public.url, "bob@example.com")
    with pytest.raises(DBAPIError, match="row-level security"), rls.tester_connection(get_engine(public.url), alice) as c:
        c.execute(text("INSERT INTO evaluations (id, playground_id, user_id, model_key, session_id, created_at) "
                       "VALUES (:id, :p, :u, 'v1', :s, now())"),
                  {"id": new_id("evaluation"), "p": public.playground_id, "u": bob.id, "s": new_id("evaluation_session")})
    with pytest.raises(DBAPIError, match="permission denied"), rls.tester_connection(get_engine(public.url), alice) as c:
        c.execute(text("UPDATE arms SET max_evaluations = 1000"))
    # Role and identity were transaction-local: the pooled connection is itself again.
    with get_engine(public.url).connect() as conn:
        row = conn.execute(text("SELECT current_user, current_setting('variantlab.user_id', true)")).one()
    assert row[0] == "postgres" and not row[1]


def test_service_applies_the_same_visibility_rules_on_both_dialects(db_url: str) -> None:
    public = make_world(db_url)
    hidden = make_world(db_url)
    restricted = make_world(db_url, restricted_emails=["alice@example.com"])
    with session_scope(db_url) as s:
        update_playground(s, hidden.playground_id, hidden.admin_id, is_active=False)
    alice, bob = make_tester(db_url, "ALICE@example.com"), make_tester(db_url, "bob@example.com")
    with session_scope(db_url) as s:
        submit_evaluation(s, public.playground_id, bob, "v1", {public.like: "no"}, 2)
    with rls.tester_session(get_engine(db_url), alice) as s:
        assert {p.id for p in visible_playgrounds(s, alice)} == {public.playground_id, restricted.playground_id}
        assert own_evaluations(s, alice) == []
    with rls.tester_session(get_engine(db_url), bob) as s:
        assert [p.id for p in visible_playgrounds(s, bob)] == [public.playground_id]
        assert len(own_evaluations(s, bob, public.playground_id)) == 2


def test_tester_cannot_list_other_users(worlds: tuple[World, World, World]) -> None:
    public, _, _ = worlds
    alice, bob = make_tester(public.url, "alice@example.com"), make_tester(public.url, "bob@example.com")
    assert _as_tester(public.url, alice, "SELECT email FROM users") == [("alice@example.com",)]
    assert _as_tester(public.url, bob, "SELECT count(*) FROM users WHERE email = 'alice@example.com'") == [(0,)]
