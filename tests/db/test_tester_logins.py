"""Tester logins: one PostgreSQL LOGIN role per tester, provisioned on first use, nothing on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from db import rls  # a module import: pytest would collect functions named test* imported here
from db.migrate import upgrade_to_head
from db.models import User
from db.session import get_engine, session_scope
from db.users import (
    TESTER_CONNECTION_LIMIT,
    LoginRole,
    PermissionDenied,
    drop_tester_logins,
    ensure_tester_login,
    get_or_create_user,
    login_role_name,
)
from db.validation import InvalidInput


def _mapped(url: str) -> dict[str, tuple[str, str]]:
    with session_scope(url) as s:
        return {u: (r, p) for r, u, p in s.execute(text(
            "SELECT role_name, user_id, password FROM variantlab_rls.tester_logins"))}


def _role(url: str, role: str) -> tuple | None:
    with session_scope(url) as s:
        row = s.execute(text(
            "SELECT r.rolcanlogin, r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolbypassrls, "
            "r.rolconnlimit, r.rolconfig, ARRAY(SELECT g.rolname::text FROM pg_auth_members m "
            "JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) FROM pg_roles r WHERE r.rolname = :r"),
            {"r": role}).first()
        return None if row is None else tuple(row)


def test_a_tester_gets_a_plain_login_of_their_own_when_created(pg_url: str) -> None:
    upgrade_to_head(pg_url)
    with session_scope(pg_url) as s:
        user = get_or_create_user(s, "T@Example.com")
    role = login_role_name(user.id)
    assert role == f"variantlab_t_{user.id}"
    assert _role(pg_url, role) == (True, False, TESTER_CONNECTION_LIMIT,
                                   ["idle_in_transaction_session_timeout=60s"], ["variantlab_tester"])
    first = _mapped(pg_url)[user.id]
    with session_scope(pg_url) as s:  # signing in again changes nothing
        again = ensure_tester_login(s, get_or_create_user(s, "t@example.com"))
    assert again == LoginRole(*first) and _mapped(pg_url) == {user.id: first}
    assert first[1] not in repr(again)  # the password never shows in logs


def test_other_roles_get_no_login(pg_url: str) -> None:
    upgrade_to_head(pg_url)
    with session_scope(pg_url) as s:
        admin = get_or_create_user(s, "boss@example.com", "admin")
        get_or_create_user(s, "ana@example.com", "analyst")
    assert _mapped(pg_url) == {}
    with pytest.raises(PermissionDenied), session_scope(pg_url) as s:
        ensure_tester_login(s, admin)


def test_sqlite_has_no_logins(sqlite_url: str) -> None:
    upgrade_to_head(sqlite_url)
    with session_scope(sqlite_url) as s:
        user = get_or_create_user(s, "t@example.com")
        assert ensure_tester_login(s, user) is None
        assert drop_tester_logins(s) == []
    with rls.tester_session(get_engine(sqlite_url), user) as s:  # the service's own transaction, no role
        assert s.scalar(text("SELECT count(*) FROM users")) == 1


def test_a_tester_who_has_no_login_yet_gets_one_on_first_use(pg_url: str) -> None:
    upgrade_to_head(pg_url)
    with session_scope(pg_url) as s:  # written straight through the ORM, as a bulk import would
        s.add(User(id="usr_imported00000000", email="imported@example.com", role="tester"))
    assert _mapped(pg_url) == {}
    with session_scope(pg_url) as s:
        user = s.get(User, "usr_imported00000000")
    with rls.tester_connection(get_engine(pg_url), user) as conn:
        assert conn.scalar(text("SELECT session_user")) == "variantlab_t_usr_imported00000000"
    assert set(_mapped(pg_url)) == {"usr_imported00000000"}


def test_a_leftover_plain_role_is_adopted_and_a_powerful_one_refused(pg_url: str) -> None:
    upgrade_to_head(pg_url)
    with session_scope(pg_url) as s:
        s.add_all([User(id="usr_leftover00000000", email="left@example.com", role="tester"),
                   User(id="usr_powerful00000000", email="power@example.com", role="tester")])
        # Roles outlive databases: these could be left by a dropped copy of this one.
        s.execute(text("CREATE ROLE variantlab_t_usr_leftover00000000 LOGIN IN ROLE variantlab_tester"))
        s.execute(text("CREATE ROLE variantlab_t_usr_powerful00000000 LOGIN CREATEDB IN ROLE variantlab_tester"))
    try:
        with session_scope(pg_url) as s:
            adopted = ensure_tester_login(s, s.get(User, "usr_leftover00000000"))
        assert adopted is not None and adopted.role == "variantlab_t_usr_leftover00000000"
        assert _role(pg_url, adopted.role)[2] == TESTER_CONNECTION_LIMIT
        with pytest.raises(PermissionDenied, match="other rights than a tester login"), session_scope(pg_url) as s:
            ensure_tester_login(s, s.get(User, "usr_powerful00000000"))
        assert set(_mapped(pg_url)) == {"usr_leftover00000000"}
    finally:
        with session_scope(pg_url) as s:
            s.execute(text("DROP ROLE IF EXISTS variantlab_t_usr_powerful00000000"))


def test_the_app_sets_a_fresh_password_when_the_login_is_refused(pg_url: str) -> None:
    upgrade_to_head(pg_url)
    with session_scope(pg_url) as s:
        user = get_or_create_user(s, "t@example.com")
    before = _mapped(pg_url)[user.id]
    engine = get_engine(pg_url)
    # What the app remembers no longer logs in (a tester may change their own password at any time).
    rls._logins[(engine.url.render_as_string(hide_password=False), user.id)] = LoginRole("variantlab_t_gone", "x")
    with rls.tester_connection(engine, user) as conn:
        assert conn.scalar(text("SELECT session_user")) == before[0]
    after = _mapped(pg_url)[user.id]
    assert after[0] == before[0] and after[1] != before[1]


def test_dropping_the_logins_of_a_database(pg_url: str) -> None:
    upgrade_to_head(pg_url)
    with session_scope(pg_url) as s:
        users = [get_or_create_user(s, f"t{i}@example.com") for i in range(3)]
    with session_scope(pg_url) as s:
        dropped = drop_tester_logins(s)
    assert dropped == sorted(login_role_name(u.id) for u in users)
    assert _mapped(pg_url) == {} and all(_role(pg_url, role) is None for role in dropped)


@pytest.mark.parametrize("user_id", ["usr_Upper", "usr_a b", "usr_a;drop", "u" * 41, ""])
def test_an_id_that_cannot_name_a_role_is_refused(user_id: str) -> None:
    with pytest.raises(InvalidInput):
        login_role_name(user_id)
