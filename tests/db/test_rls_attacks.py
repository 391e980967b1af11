"""A tester with a raw connection, logged in as their own role, attacks the evaluation data (PostgreSQL).

Every test is one attack, made with psycopg2 straight to the server as the tester's login (no code of
ours between), and asserts that it is refused and that nothing changed. The first six are the attacks
of issue #15 that once worked, when the tester's queries ran as a powerful role stepping down with
SET LOCAL ROLE and a `variantlab.user_id` setting. Bob is the attacker throughout; Alice is the victim
who has answered on an open playground and on one restricted to her.
"""

from __future__ import annotations

import io
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg2
import psycopg2.extensions
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from db import rls  # a module import: pytest would collect functions named test* imported here
from db.evaluations import submit_evaluation, update_playground
from db.migrate import upgrade_to_head
from db.models import User
from db.session import get_engine, session_scope
from db.users import TESTER_CONNECTION_LIMIT, ensure_tester_login
from tests.db.conftest import drop_logins_of
from tests.db.eval_world import World, make_tester, make_world

ALICE_SECRET = "alice private words"
SELECT_OUTCOME = "SELECT outcome FROM claim_evaluation_slot(%(p)s, %(k)s, %(u)s)"
CLAIM = "SELECT outcome, lease_id FROM claim_evaluation_slot(%(p)s, %(k)s, %(u)s)"
SUBMIT = ("SELECT outcome, evaluation_session_id FROM submit_evaluation(%(l)s, %(r)s, %(a)s::jsonb, %(u)s)")


@dataclass
class Arena:
    url: str
    public: World  # A/B, open to every tester; Alice and Bob have each evaluated v1
    hidden: World  # inactive
    restricted: World  # open to Alice only
    alice: User
    bob: User

    @property
    def params(self) -> dict[str, str]:
        """Names the SQL of the attack table may use (psycopg2 ignores the ones a statement does not)."""
        return {"alice": self.alice.id, "bob": self.bob.id, "public": self.public.playground_id,
                "hidden": self.hidden.playground_id, "restricted": self.restricted.playground_id,
                "question": self.public.why}


@pytest.fixture(scope="module")
def arena(pg_server: str) -> Iterator[Arena]:
    """One database for the module (the attacks that change state make playgrounds of their own)."""
    name = f"variantlab_test_{secrets.token_hex(6)}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_to_head(url)
        public, hidden = make_world(url), make_world(url)
        restricted = make_world(url, restricted_emails=["alice@example.com"])
        with session_scope(url) as s:
            update_playground(s, hidden.playground_id, hidden.admin_id, is_active=False)
        alice, bob = make_tester(url, "alice@example.com"), make_tester(url, "bob@example.com")
        for user, world, why in ((alice, public, ALICE_SECRET), (alice, restricted, ALICE_SECRET),
                                 (bob, public, "bob's words")):
            with rls.tester_session(get_engine(url), user) as s:
                submit_evaluation(s, world.playground_id, user, "v1", {world.like: "yes", world.why: why}, 4)
        yield Arena(url, public, hidden, restricted, alice, bob)
    finally:
        get_engine.cache_clear()
        drop_logins_of(url)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def raw(url: str, user: User) -> Iterator[psycopg2.extensions.connection]:
    """A psycopg2 connection that logs in as the tester's own role, as an attacker holding it would."""
    with session_scope(url) as s:
        login = ensure_tester_login(s, user)
    assert login is not None
    where = make_url(url)
    conn = psycopg2.connect(host=where.host, port=where.port, dbname=where.database, user=login.role,
                            password=login.password)
    try:
        yield conn
    finally:
        conn.close()


def run(url: str, user: User, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
    """One statement in its own transaction as the tester; committed, so a success would be visible."""
    with raw(url, user) as conn, conn.cursor() as cur:
        cur.execute(sql, params or {})
        rows = cur.fetchall() if cur.description else []
        conn.commit()
        return rows


def as_owner(url: str, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
    with session_scope(url) as s:
        result = s.execute(text(sql), params or {})
        return [tuple(r) for r in result] if result.returns_rows else []


def evaluation_rows(url: str, playground_id: str) -> int:
    return as_owner(url, "SELECT count(*) FROM evaluations WHERE playground_id = :p", {"p": playground_id})[0][0]


def counters(url: str, playground_id: str) -> dict[str, int]:
    return dict(as_owner(url, "SELECT model_key, current_count FROM evaluation_counters WHERE playground_id = :p",
                         {"p": playground_id}))


def leases(url: str, playground_id: str) -> list[tuple[str, str]]:
    return as_owner(url, "SELECT user_id, model_key FROM variantlab_rls.evaluation_leases "
                         "WHERE playground_id = :p ORDER BY user_id", {"p": playground_id})


def expire_leases(url: str, playground_id: str) -> None:
    """Time passing, without the wait: every lease of the playground ran out a second ago."""
    as_owner(url, "UPDATE variantlab_rls.evaluation_leases SET expires_at = clock_timestamp() - interval '1 second' "
                  "WHERE playground_id = :p", {"p": playground_id})


def claim(url: str, user: User, world: World, key: str, as_user: User | None = None) -> tuple[str, str | None]:
    params = {"p": world.playground_id, "k": key, "u": (as_user or user).id}
    return run(url, user, CLAIM, params)[0]


def submit(url: str, user: User, lease_id: str | None, answers: dict[str, Any], rating: int | None = 4,
           as_user: User | None = None) -> tuple[str, str | None]:
    params = {"l": lease_id, "r": rating, "a": json.dumps(answers), "u": (as_user or user).id}
    return run(url, user, SUBMIT, params)[0]


# --- the six attacks of issue #15 -------------------------------------------------------------------


def test_1_inserting_20_rows_on_an_arm_capped_at_5_is_refused(arena: Arena) -> None:
    world = make_world(arena.url, type_="tuning", caps={"control": 5})
    insert = ("INSERT INTO evaluations (id, playground_id, user_id, model_key, rating, session_id, created_at) "
              "SELECT 'ev_attack' || i, %(p)s, %(bob)s, 'control', 5, 'evs_attack' || i, now() "
              "FROM generate_series(1, 20) AS i")
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied for table evaluations"):
        run(arena.url, arena.bob, insert, {**arena.params, "p": world.playground_id})
    # The bulk path is no way round: COPY FROM needs the same INSERT right.
    rows = "".join(f"ev_copy{i}\t{world.playground_id}\t{arena.bob.id}\tcontrol\tevs_c{i}\t2026-01-01\n"
                   for i in range(20))
    with pytest.raises(psycopg2.errors.InsufficientPrivilege), raw(arena.url, arena.bob) as conn:
        conn.cursor().copy_expert("COPY evaluations (id, playground_id, user_id, model_key, session_id, created_at) "
                                  "FROM STDIN", io.StringIO(rows))
    assert evaluation_rows(arena.url, world.playground_id) == 0
    assert counters(arena.url, world.playground_id) == {"control": 0}


def test_2_claiming_slots_without_writing_rows_cannot_drain_a_cap(arena: Arena) -> None:
    world = make_world(arena.url, caps={"control": 5, "v1": 5})
    # Twenty claims, on both arms, hold one slot: a claim hands back the live lease or replaces it.
    outcomes = [claim(arena.url, arena.bob, world, key) for key in ["control"] * 10 + ["v1"] * 10]
    assert {outcome for outcome, _ in outcomes} == {"leased"}
    assert len({lease for _, lease in outcomes[:10]}) == 1  # the same lease, never a second
    assert leases(arena.url, world.playground_id) == [(arena.bob.id, "v1")]
    others = [make_tester(arena.url, f"drain{i}@example.com") for i in range(5)]
    assert [claim(arena.url, user, world, "v1")[0] for user in others] == ["leased"] * 4 + ["held"]
    # Unused leases expire, and expired ones no longer count: the slots come back.
    expire_leases(arena.url, world.playground_id)
    assert claim(arena.url, others[4], world, "v1")[0] == "leased"
    assert counters(arena.url, world.playground_id) == {"control": 0, "v1": 0}  # nothing counted without rows


def test_3_naming_another_tester_in_the_setting_reads_none_of_their_answers(arena: Arena) -> None:
    with raw(arena.url, arena.bob) as conn, conn.cursor() as cur:
        cur.execute("SELECT set_config('variantlab.user_id', %(alice)s, false), "
                    "set_config('variantlab.user_email', 'alice@example.com', false)", arena.params)
        cur.execute("SELECT answer_text FROM open_responses")
        assert cur.fetchall() == [("bob's words",)]
        cur.execute("SELECT count(*) FROM evaluations WHERE user_id = %(alice)s OR playground_id = %(restricted)s",
                    arena.params)
        assert cur.fetchone() == (0,)
        cur.execute("SELECT id FROM playgrounds WHERE id = %(restricted)s", arena.params)
        assert cur.fetchall() == []  # her restricted playground stays invisible too
        cur.execute("SELECT variantlab_tester_id()")
        assert cur.fetchone() == (arena.bob.id,)


def test_4_clearing_the_identity_then_claiming_in_anothers_name_is_refused(arena: Arena) -> None:
    world = make_world(arena.url, type_="tuning", caps={"control": 5})
    with raw(arena.url, arena.bob) as conn, conn.cursor() as cur:
        cur.execute("SELECT set_config('variantlab.user_id', '', false)")
        cur.execute("RESET variantlab.user_email")
        cur.execute(SELECT_OUTCOME, {"p": world.playground_id, "k": "control", "u": arena.alice.id})
        assert cur.fetchone() == ("unknown",)
        cur.execute(SELECT_OUTCOME, {"p": arena.restricted.playground_id, "k": "control", "u": arena.alice.id})
        assert cur.fetchone() == ("unknown",)
        conn.commit()
    assert leases(arena.url, world.playground_id) == []
    assert leases(arena.url, arena.restricted.playground_id) == []


def test_5_reset_role_exposes_no_email(arena: Arena) -> None:
    with raw(arena.url, arena.bob) as conn, conn.cursor() as cur:
        cur.execute("RESET ROLE")
        cur.execute("SELECT email FROM users")
        assert cur.fetchall() == [("bob@example.com",)]
        cur.execute("SELECT session_user = current_user")
        assert cur.fetchone() == (True,)  # the login itself: there is nothing above it to go back to


def test_6_set_role_variantlab_admin_is_refused(arena: Arena) -> None:
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match='permission denied to set role "variantlab_admin"'):
        run(arena.url, arena.bob, "SET LOCAL ROLE variantlab_admin")


# --- statements refused outright --------------------------------------------------------------------

DENIED = "permission denied"
OWNER = "must be owner"
SUPERUSER = "must be superuser"
REFUSED_STATEMENTS = [
    pytest.param("UPDATE evaluations SET rating = 5 WHERE user_id = %(bob)s", DENIED, id="update-own-rating"),
    pytest.param("UPDATE evaluations SET answer_text = 'x' WHERE user_id = %(alice)s", DENIED,
                 id="update-others-answers"),
    pytest.param("DELETE FROM evaluations WHERE user_id = %(alice)s", DENIED, id="delete-others-rows"),
    pytest.param("DELETE FROM evaluations WHERE user_id = %(bob)s", DENIED, id="delete-own-rows"),
    pytest.param("TRUNCATE evaluations", DENIED, id="truncate-evaluations"),
    pytest.param("TRUNCATE evaluation_counters", DENIED, id="truncate-counters"),
    pytest.param("SELECT * FROM audit_log", DENIED, id="read-audit-log"),
    pytest.param("INSERT INTO audit_log (id, action, resource_type, created_at) VALUES ('aud_x', 'x', 'x', now())",
                 DENIED, id="forge-audit-entry"),
    pytest.param("UPDATE evaluation_counters SET current_count = 0", DENIED, id="reopen-full-arms"),
    pytest.param("UPDATE arms SET max_evaluations = 1000", DENIED, id="raise-caps"),
    pytest.param("UPDATE playgrounds SET is_active = true, restricted_emails = NULL", DENIED,
                 id="open-hidden-playgrounds"),
    pytest.param("UPDATE users SET role = 'admin' WHERE id = %(bob)s", DENIED, id="promote-self"),
    pytest.param("INSERT INTO users (id, email, role, created_at, updated_at) "
                 "VALUES ('usr_attacker000000', 'x@example.com', 'admin', now(), now())", DENIED, id="create-admin"),
    pytest.param("SELECT * FROM evaluation_counters FOR UPDATE", DENIED, id="lock-counter-rows"),
    pytest.param("LOCK TABLE evaluation_counters IN EXCLUSIVE MODE", DENIED, id="lock-counters-table"),
    pytest.param("INSERT INTO evaluations (id, playground_id, user_id, model_key, session_id, created_at) "
                 "VALUES ('ev_forged', %(public)s, %(bob)s, 'control', 'evs_forged', '2001-01-01')", DENIED,
                 id="forge-created-at"),
    pytest.param("SELECT role_name, password FROM variantlab_rls.tester_logins", DENIED, id="read-login-passwords"),
    pytest.param("UPDATE variantlab_rls.evaluation_leases SET expires_at = 'infinity'", DENIED,
                 id="extend-leases"),
    pytest.param("SELECT variantlab_rls.caller_id(%(alice)s)", DENIED, id="call-private-helper"),
    pytest.param("SELECT pg_read_file('/etc/passwd')", DENIED, id="pg-read-file"),
    pytest.param("SELECT pg_ls_dir('.')", DENIED, id="list-data-directory"),
    pytest.param("SELECT lo_import('/etc/passwd')", DENIED, id="lo-import"),
    pytest.param("SELECT pg_reload_conf()", DENIED, id="reload-server-config"),
    pytest.param("COPY (SELECT 1) TO '/tmp/variantlab_attack'", SUPERUSER, id="copy-to-server-file"),
    pytest.param("COPY (SELECT 1) TO PROGRAM 'id'", SUPERUSER, id="copy-to-program"),
    pytest.param("CREATE TABLE public.claims (x int)", DENIED, id="create-table-in-public"),
    pytest.param("CREATE FUNCTION public.variantlab_tester_id(x int) RETURNS text LANGUAGE sql AS 'SELECT 1::text'",
                 DENIED, id="create-function-in-public"),
    pytest.param("CREATE OR REPLACE FUNCTION public.variantlab_tester_id() RETURNS text LANGUAGE sql "
                 "AS $$SELECT 'usr_x'$$", DENIED, id="replace-identity-function"),
    pytest.param("CREATE SCHEMA attack", DENIED, id="create-schema"),
    pytest.param("ALTER FUNCTION submit_evaluation(text, integer, jsonb, text) SECURITY INVOKER", OWNER,
                 id="alter-submit-function"),
    pytest.param("ALTER TABLE evaluations DISABLE ROW LEVEL SECURITY", OWNER, id="disable-rls"),
    pytest.param("DROP POLICY tester_own_evaluations ON evaluations", OWNER, id="drop-policy"),
    pytest.param("CREATE POLICY everything ON evaluations FOR SELECT USING (true)", OWNER, id="create-policy"),
    pytest.param("ALTER ROLE CURRENT_USER BYPASSRLS", SUPERUSER, id="grant-self-bypassrls"),
    pytest.param("ALTER ROLE CURRENT_USER SUPERUSER", SUPERUSER, id="grant-self-superuser"),
    pytest.param("ALTER ROLE CURRENT_USER CREATEROLE", DENIED, id="grant-self-createrole"),
    pytest.param("GRANT variantlab_admin TO CURRENT_USER", "must have admin option", id="grant-self-admin-role"),
    pytest.param("SET SESSION AUTHORIZATION postgres", DENIED, id="session-authorization"),
    pytest.param("SET ROLE postgres", DENIED, id="set-role-superuser"),
    pytest.param("SELECT set_config('role', 'variantlab_admin', false)", DENIED, id="set-config-role"),
]


@pytest.mark.parametrize(("sql", "error"), REFUSED_STATEMENTS)
def test_statement_is_refused(arena: Arena, sql: str, error: str) -> None:
    before = as_owner(arena.url, "SELECT count(*), sum(coalesce(rating, 0)), count(answer_text) FROM evaluations")
    with pytest.raises(psycopg2.Error, match=error):
        run(arena.url, arena.bob, sql, arena.params)
    assert as_owner(arena.url, "SELECT count(*), sum(coalesce(rating, 0)), count(answer_text) "
                               "FROM evaluations") == before


# --- identity, visibility and the claim/submit protocol ------------------------------------------------


def test_set_role_to_the_tester_group_changes_no_identity(arena: Arena) -> None:
    with raw(arena.url, arena.bob) as conn, conn.cursor() as cur:
        cur.execute("SET ROLE variantlab_tester")  # allowed (a member), and worth nothing
        cur.execute("SELECT DISTINCT user_id FROM evaluations")
        assert cur.fetchall() == [(arena.bob.id,)]
        cur.execute("SELECT count(*) FROM users")
        assert cur.fetchone() == (1,)


@pytest.mark.parametrize("which", ["hidden", "restricted"])
def test_claiming_on_a_playground_the_tester_cannot_see_is_refused(arena: Arena, which: str) -> None:
    world = getattr(arena, which)
    before = counters(arena.url, world.playground_id)
    assert claim(arena.url, arena.bob, world, "control") == ("unknown", None)
    assert leases(arena.url, world.playground_id) == []
    assert counters(arena.url, world.playground_id) == before


def test_temporary_tables_cannot_stand_in_for_ours_inside_the_functions(arena: Arena) -> None:
    with raw(arena.url, arena.bob) as conn, conn.cursor() as cur:
        # A fake, active, public copy of the hidden playground, first on the search path.
        cur.execute("CREATE TEMP TABLE playgrounds AS SELECT * FROM public.playgrounds WHERE false")
        cur.execute("INSERT INTO pg_temp.playgrounds (id, name, type, is_active, created_at, updated_at) "
                    "VALUES (%(hidden)s, 'x', 'tuning', true, now(), now())", arena.params)
        cur.execute("SET search_path = pg_temp, public")
        cur.execute(SELECT_OUTCOME, {"p": arena.hidden.playground_id, "k": "control", "u": arena.bob.id})
        assert cur.fetchone() == ("unknown",)
        conn.commit()
    assert leases(arena.url, arena.hidden.playground_id) == []


def test_evaluating_the_same_ab_arm_twice_is_refused(arena: Arena) -> None:
    assert claim(arena.url, arena.bob, arena.public, "v1") == ("done", None)  # Bob's v1 session is on file
    assert evaluation_rows(arena.url, arena.public.playground_id) == 6  # Alice's and Bob's, three rows each


@pytest.mark.parametrize("level", ["REPEATABLE READ", "SERIALIZABLE"])
def test_claiming_on_an_old_snapshot_is_refused(arena: Arena, level: str) -> None:
    world = make_world(arena.url, type_="tuning", caps={"control": 1})
    with pytest.raises(psycopg2.errors.InvalidTransactionState, match="READ COMMITTED"), \
            raw(arena.url, arena.bob) as conn, conn.cursor() as cur:
        cur.execute(f"SET TRANSACTION ISOLATION LEVEL {level}")
        cur.execute(SELECT_OUTCOME, {"p": world.playground_id, "k": "control", "u": arena.bob.id})
    assert leases(arena.url, world.playground_id) == []


def _race(url: str, users: list[User], work: Callable[[psycopg2.extensions.connection, User], Any]) -> list[Any]:
    """Each user's `work` on their own raw connection, all released at once; exceptions are returned."""
    start = threading.Barrier(len(users))
    results: list[Any] = [None] * len(users)

    def one(i: int) -> None:
        with raw(url, users[i]) as conn:
            start.wait()
            try:
                results[i] = work(conn, users[i])
                conn.commit()
            except psycopg2.Error as exc:
                results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_claims_cannot_exceed_the_cap(arena: Arena) -> None:
    world = make_world(arena.url, type_="tuning", caps={"control": 3})
    racers = [make_tester(arena.url, f"racer{i}@example.com") for i in range(8)]

    def claim_now(conn: psycopg2.extensions.connection, user: User) -> str:
        with conn.cursor() as cur:
            cur.execute(SELECT_OUTCOME, {"p": world.playground_id, "k": "control", "u": user.id})
            return cur.fetchone()[0]

    outcomes = _race(arena.url, racers, claim_now)
    assert sorted(outcomes) == ["held"] * 5 + ["leased"] * 3
    assert len(leases(arena.url, world.playground_id)) == 3


def test_one_tester_on_two_connections_holds_one_slot(arena: Arena) -> None:
    world = make_world(arena.url, caps={"control": 5, "v1": 5})
    keys = iter(["control", "v1"])

    def claim_an_arm(conn: psycopg2.extensions.connection, user: User) -> str:
        with conn.cursor() as cur:
            cur.execute(SELECT_OUTCOME, {"p": world.playground_id, "k": next(keys), "u": user.id})
            time.sleep(0.2)  # both transactions open at once
            return cur.fetchone()[0]

    outcomes = _race(arena.url, [arena.bob, arena.bob], claim_an_arm)
    assert sorted(outcomes) == ["busy", "leased"]  # the second waited for the first, then was refused
    assert len(leases(arena.url, world.playground_id)) == 1


def test_replaying_an_expired_lease_is_refused(arena: Arena) -> None:
    world = make_world(arena.url, type_="tuning", caps={"control": 5})
    outcome, lease = claim(arena.url, arena.bob, world, "control")
    assert outcome == "leased"
    expire_leases(arena.url, world.playground_id)
    assert submit(arena.url, arena.bob, lease, {world.like: "yes"}) == ("expired", None)
    assert evaluation_rows(arena.url, world.playground_id) == 0
    assert counters(arena.url, world.playground_id) == {"control": 0}


def test_replaying_a_used_lease_is_refused(arena: Arena) -> None:
    world = make_world(arena.url, type_="tuning", caps={"control": 5})
    _, lease = claim(arena.url, arena.bob, world, "control")
    outcome, session_id = submit(arena.url, arena.bob, lease, {world.like: "yes"})
    assert outcome == "counted" and session_id
    assert submit(arena.url, arena.bob, lease, {world.like: "no"}) == ("unknown", None)
    assert evaluation_rows(arena.url, world.playground_id) == 2  # one session: anchor + one answer
    assert counters(arena.url, world.playground_id) == {"control": 1}


def test_submitting_through_another_testers_lease_is_refused(arena: Arena) -> None:
    world = make_world(arena.url, type_="tuning", caps={"control": 5})
    _, lease = claim(arena.url, arena.alice, world, "control")
    assert submit(arena.url, arena.bob, lease, {world.like: "no"}) == ("unknown", None)
    assert submit(arena.url, arena.bob, lease, {world.like: "no"}, as_user=arena.alice) == ("unknown", None)
    assert evaluation_rows(arena.url, world.playground_id) == 0
    assert leases(arena.url, world.playground_id) == [(arena.alice.id, "control")]  # still hers, unused


def test_rows_are_dated_by_the_database_at_submission(arena: Arena) -> None:
    world = make_world(arena.url, type_="tuning", caps={"control": 5})
    _, lease = claim(arena.url, arena.bob, world, "control")
    with raw(arena.url, arena.bob) as conn, conn.cursor() as cur:
        cur.execute("SELECT now()")  # the transaction's start, which now() would keep returning
        started = cur.fetchone()[0]
        time.sleep(1.2)
        cur.execute(SUBMIT, {"l": lease, "r": 3, "a": json.dumps({world.like: "yes"}), "u": arena.bob.id})
        assert cur.fetchone()[0] == "counted"
        conn.commit()
    stamps = as_owner(arena.url, "SELECT DISTINCT created_at FROM evaluations WHERE playground_id = :p",
                      {"p": world.playground_id})
    assert len(stamps) == 1 and (stamps[0][0] - started).total_seconds() >= 1.2


INVALID_ANSWERS = [
    pytest.param(lambda w, a: ({w.like: "yes"}, 9), id="rating-out-of-range"),
    pytest.param(lambda w, a: ({w.like: "maybe"}, 4), id="select-not-an-option"),
    pytest.param(lambda w, a: ({w.like: "yes", a.public.why: "elsewhere"}, 4), id="question-of-another-playground"),
    pytest.param(lambda w, a: ({w.like: ["yes"]}, 4), id="answer-not-a-string"),
    pytest.param(lambda w, a: ({w.like: "yes", w.why: "x" * 10_001}, 4), id="answer-too-long"),
    pytest.param(lambda w, a: ({w.why: "no choice made"}, 4), id="required-answer-missing"),
    pytest.param(lambda w, a: ({w.like: "   "}, 4), id="required-answer-blank"),
]


@pytest.mark.parametrize("answers", INVALID_ANSWERS)
def test_answers_the_questions_do_not_allow_are_refused(arena: Arena, answers: Callable) -> None:
    world = make_world(arena.url, type_="tuning", caps={"control": 5})
    _, lease = claim(arena.url, arena.bob, world, "control")
    payload, rating = answers(world, arena)
    assert submit(arena.url, arena.bob, lease, payload, rating) == ("invalid", None)
    assert evaluation_rows(arena.url, world.playground_id) == 0
    assert counters(arena.url, world.playground_id) == {"control": 0}
    # The lease survives the refusal; the same lease with valid answers goes through (the check is the answers).
    assert submit(arena.url, arena.bob, lease, {world.like: "yes"})[0] == "counted"


def test_answers_that_are_not_an_object_are_refused(arena: Arena) -> None:
    world = make_world(arena.url, type_="tuning", caps={"control": 5})
    _, lease = claim(arena.url, arena.bob, world, "control")
    assert run(arena.url, arena.bob, SUBMIT, {"l": lease, "r": 4, "a": '["yes"]', "u": arena.bob.id}) == [
        ("invalid", None)]
    assert evaluation_rows(arena.url, world.playground_id) == 0


def test_a_tester_login_of_another_database_is_nobody_here(arena: Arena) -> None:
    # Roles are cluster-wide: another database's tester may log in here, but maps to no user.
    role = f"variantlab_t_usr_{secrets.token_hex(8)}"
    as_owner(arena.url, f"CREATE ROLE {role} LOGIN IN ROLE variantlab_tester")
    try:
        where = make_url(arena.url)
        conn = psycopg2.connect(host=where.host, port=where.port, dbname=where.database, user=role)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT (SELECT count(*) FROM playgrounds), (SELECT count(*) FROM evaluations), "
                            "(SELECT count(*) FROM users)")
                assert cur.fetchone() == (0, 0, 0)
                cur.execute(SELECT_OUTCOME, {"p": arena.public.playground_id, "k": "control", "u": arena.alice.id})
                assert cur.fetchone() == ("unknown",)
        finally:
            conn.close()
    finally:
        as_owner(arena.url, f"DROP ROLE {role}")


def test_a_demoted_tester_keeps_a_login_that_can_do_nothing(arena: Arena) -> None:
    world = make_world(arena.url, type_="tuning", caps={"control": 5})
    former = make_tester(arena.url, "former@example.com")
    as_owner(arena.url, "UPDATE users SET role = 'analyst' WHERE id = :u", {"u": former.id})
    assert run(arena.url, former, "SELECT (SELECT count(*) FROM playgrounds), variantlab_tester_id()") == [(0, None)]
    assert claim(arena.url, former, world, "control") == ("unknown", None)


def test_opening_more_connections_than_the_login_allows_is_refused(arena: Arena) -> None:
    where = make_url(arena.url)
    with session_scope(arena.url) as s:
        login = ensure_tester_login(s, arena.bob)
    opened = []
    try:
        with pytest.raises(psycopg2.OperationalError, match="too many connections for role"):
            for _ in range(TESTER_CONNECTION_LIMIT + 1):
                opened.append(psycopg2.connect(host=where.host, port=where.port, dbname=where.database,
                                               user=login.role, password=login.password))
        assert len(opened) == TESTER_CONNECTION_LIMIT
    finally:
        for conn in opened:
            conn.close()


def test_other_sessions_queries_are_hidden(arena: Arena) -> None:
    engine = create_engine(arena.url, poolclass=NullPool)
    try:
        with engine.connect() as owner:
            pid = owner.execute(text("SELECT pg_backend_pid()")).scalar_one()
            owner.execute(text(f"SELECT '{ALICE_SECRET}' AS secret"))  # its last query, left idle in a transaction
            seen = run(arena.url, arena.bob, "SELECT query FROM pg_stat_activity WHERE pid = %(pid)s", {"pid": pid})
            assert seen == [("<insufficient privilege>",)]
            with pytest.raises(psycopg2.Error, match="terminate"):
                run(arena.url, arena.bob, "SELECT pg_terminate_backend(%(pid)s)", {"pid": pid})
            assert owner.execute(text("SELECT 1")).scalar_one() == 1  # still alive
    finally:
        engine.dispose()
