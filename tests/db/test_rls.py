"""Row-level security: the database, not Python, filters what a tester sees (PostgreSQL), and the
service applies the same rules in its queries on both dialects (the SQLite stand-in).

The attacks of a tester holding a raw connection are in test_rls_attacks.py; this file covers the
service on the tester's own login and the shape of the database functions."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db import rls  # a module import: pytest would collect functions named test* imported here
from db.evaluations import (
    EvaluationRefused,
    next_arm,
    own_evaluations,
    submit_evaluation,
    update_playground,
    visible_playgrounds,
)
from db.migrate import upgrade_to_head
from db.session import get_engine, session_scope
from db.users import login_role_name
from tests.db.eval_world import World, make_tester, make_world

CLAIM = "SELECT outcome FROM claim_evaluation_slot(:p, :k, :u)"


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


def test_tester_connection_logs_in_as_the_testers_own_role(worlds: tuple[World, World, World]) -> None:
    public = worlds[0]
    alice = make_tester(public.url, "alice@example.com")
    with rls.tester_connection(get_engine(public.url), alice) as c:
        who = c.execute(text("SELECT session_user, current_user, variantlab_tester_id()")).one()
        assert tuple(who) == (login_role_name(alice.id), login_role_name(alice.id), alice.id)
        role = c.execute(text(
            "SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, r.rolreplication, "
            "ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "WHERE m.member = r.oid) FROM pg_roles r WHERE r.rolname = session_user")).one()
    assert tuple(role) == (False, False, False, False, False, ["variantlab_tester"])
    # The app's own connections are untouched by the tester's.
    with get_engine(public.url).connect() as conn:
        assert conn.scalar(text("SELECT current_user")) == "postgres"


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


def _counter(url: str, playground_id: str) -> dict[str, int]:
    with session_scope(url) as s:
        rows = s.execute(text("SELECT model_key, current_count FROM evaluation_counters "
                              "WHERE playground_id = :p"), {"p": playground_id})
        return dict(rows.all())


def test_tester_cannot_reset_counters_so_a_cap_of_one_holds(pg_url: str) -> None:
    upgrade_to_head(pg_url)
    world = make_world(pg_url, type_="tuning", caps={"control": 1})
    alice, bob = make_tester(pg_url, "alice@example.com"), make_tester(pg_url, "bob@example.com")
    with rls.tester_session(get_engine(pg_url), alice) as s:
        submit_evaluation(s, world.playground_id, alice, "control", {world.like: "yes"}, 4)
    insert = ("INSERT INTO evaluation_counters (id, playground_id, model_key, current_count, created_at, "
              "updated_at) VALUES ('evc_x', :p, 'other', 0, now(), now())")
    for sql in ("UPDATE evaluation_counters SET current_count = 0", "DELETE FROM evaluation_counters",
                insert):
        with (pytest.raises(DBAPIError, match="permission denied"),
              rls.tester_connection(get_engine(pg_url), bob) as c):
            c.execute(text(sql), {"p": world.playground_id})
    with pytest.raises(EvaluationRefused) as refused, rls.tester_session(get_engine(pg_url), bob) as s:
        submit_evaluation(s, world.playground_id, bob, "control", {world.like: "no"}, 2)
    assert refused.value.kind == "full"
    assert _as_tester(pg_url, bob, CLAIM, p=world.playground_id, k="control", u=bob.id) == [("full",)]
    assert _counter(pg_url, world.playground_id) == {"control": 1}
    with session_scope(pg_url) as s:
        anchors = s.scalar(text("SELECT count(*) FROM evaluations WHERE question_id IS NULL"))
    assert anchors == 1


def test_claim_function_enforces_visibility_identity_cap_and_one_session_per_arm(
    worlds: tuple[World, World, World],
) -> None:
    public, hidden, restricted = worlds
    url = public.url
    alice, bob = make_tester(url, "alice@example.com"), make_tester(url, "bob@example.com")
    # Invisible playgrounds, unknown arms and claims in someone else's name are refused, leasing nothing.
    assert _as_tester(url, bob, CLAIM, p=hidden.playground_id, k="v1", u=bob.id) == [("unknown",)]
    assert _as_tester(url, bob, CLAIM, p=restricted.playground_id, k="v1", u=bob.id) == [("unknown",)]
    assert _as_tester(url, bob, CLAIM, p=public.playground_id, k="v1", u=alice.id) == [("unknown",)]
    assert _as_tester(url, bob, CLAIM, p=public.playground_id, k="nope", u=bob.id) == [("unknown",)]
    assert _leases(url) == []
    assert _as_tester(url, alice, CLAIM, p=restricted.playground_id, k="v1", u=alice.id) == [("leased",)]
    assert _leases(url) == [(restricted.playground_id, "v1", alice.id)]
    # A/B: once a session of this tester on the arm is committed, a second claim is refused.
    with rls.tester_session(get_engine(url), bob) as s:
        submit_evaluation(s, public.playground_id, bob, "v1", {public.like: "yes"}, 5)
    assert _as_tester(url, bob, CLAIM, p=public.playground_id, k="v1", u=bob.id) == [("done",)]
    with pytest.raises(EvaluationRefused) as refused, rls.tester_session(get_engine(url), bob) as s:
        submit_evaluation(s, public.playground_id, bob, "v1", {public.like: "yes"}, 5)
    assert refused.value.kind == "done"
    assert _counter(url, public.playground_id) == {"control": 0, "v1": 1}

    # Tuning, cap 2: a tester's repeated claims are one lease; a second tester takes the other slot;
    # a third finds them held (not full: nothing is counted until a session is written).
    tuning = make_world(url, type_="tuning", caps={"control": 2})
    carol = make_tester(url, "carol@example.com")
    params = {"p": tuning.playground_id, "k": "control"}
    assert [_as_tester(url, bob, CLAIM, **params, u=bob.id) for _ in range(3)] == [[("leased",)]] * 3
    assert _as_tester(url, alice, CLAIM, **params, u=alice.id) == [("leased",)]
    assert _as_tester(url, carol, CLAIM, **params, u=carol.id) == [("held",)]
    assert _counter(url, tuning.playground_id) == {"control": 0}


def _leases(url: str) -> list[tuple[str, str, str]]:
    with session_scope(url) as s:
        return [tuple(r) for r in s.execute(text(
            "SELECT playground_id, model_key, user_id FROM variantlab_rls.evaluation_leases ORDER BY created_at"))]


FUNCTIONS = ("variantlab_tester_id()", "variantlab_tester_email()", "claim_evaluation_slot(text, text, text)",
             "submit_evaluation(text, integer, jsonb, text)")


@pytest.mark.parametrize("function", FUNCTIONS)
def test_functions_run_as_the_tables_owner_with_a_pinned_search_path(pg_url: str, function: str) -> None:
    upgrade_to_head(pg_url)
    with session_scope(pg_url) as s:
        definer, config, owned = s.execute(text(
            "SELECT p.prosecdef, p.proconfig, p.proowner = c.relowner FROM pg_proc p, pg_class c "
            "WHERE p.oid = to_regprocedure(:f) AND c.oid = 'public.evaluations'::regclass"), {"f": function}).one()
        may = s.execute(text(
            "SELECT has_function_privilege(r, :f, 'EXECUTE') "
            "FROM unnest(ARRAY['variantlab_tester', 'variantlab_admin', 'public']) AS r"), {"f": function}).scalars()
        assert list(may) == [True, False, False]  # not granted to PUBLIC
    assert definer and owned
    assert config[0] == "search_path=public, pg_temp"
