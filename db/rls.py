"""Row-level security: run a tester's queries as the database role the policies apply to.

On PostgreSQL, `tester_session` / `tester_connection` open ONE transaction, switch to the
`variantlab_tester` role with SET LOCAL ROLE and publish who is asking with
set_config('variantlab.user_id' / 'variantlab.user_email', ..., true). The policies created by the
migration `*_evaluation_views_and_rls.py` then filter every query, including the metrics views
(security_invoker), so a forgotten WHERE clause in Python cannot leak another tester's rows.
Everything is transaction-local: when the transaction ends the pooled connection is back to its
own role with no identity attached, so nothing leaks to the next borrower.

SQLite has no row-level security. There these context managers only open the transaction, and the
service (db/evaluations.py) enforces the same rules in its own queries: `visible_playgrounds_clause`
and the user_id filters below are applied on both dialects, so the rules hold on SQLite too, and on
PostgreSQL the database enforces them a second time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import ColumnElement, Connection, Engine, and_, exists, func, literal, or_, select, text
from sqlalchemy.orm import Session

from db.models import Playground, User

# Must match the role names created by the migration (roles are cluster-wide, created once).
TESTER_ROLE = "variantlab_tester"


def _set_identity(conn: Connection, user: User) -> None:
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text(f"SET LOCAL ROLE {TESTER_ROLE}"))
    conn.execute(
        text("SELECT set_config('variantlab.user_id', :uid, true), set_config('variantlab.user_email', :email, true)"),
        {"uid": user.id, "email": user.email.lower()},
    )


@contextmanager
def tester_connection(engine: Engine, user: User) -> Iterator[Connection]:
    """A Core connection inside one transaction, filtered by the tester policies on PostgreSQL."""
    with engine.connect() as conn, conn.begin():
        _set_identity(conn, user)
        yield conn


@contextmanager
def tester_session(engine: Engine, user: User) -> Iterator[Session]:
    """An ORM session inside one transaction (committed on success, rolled back on error).

    Do not call session.commit() inside: the role and identity end with the transaction.
    """
    with tester_connection(engine, user) as conn:
        # rollback_only: the session joins the connection's transaction and never commits it itself.
        session = Session(bind=conn, join_transaction_mode="rollback_only", expire_on_commit=False)
        try:
            yield session
            session.flush()
        finally:
            session.close()


def email_allowed_clause(session: Session, email: str) -> ColumnElement[bool]:
    """restricted_emails IS NULL or contains `email`, written for the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        # JSONB `?`: the same test the RLS policy makes.
        listed: ColumnElement[bool] = Playground.restricted_emails.op("?")(email)
    else:
        entries = func.json_each(Playground.restricted_emails).table_valued("value")
        listed = exists(select(literal(1)).select_from(entries).where(entries.c.value == email))
    return or_(Playground.restricted_emails.is_(None), listed)


def visible_playgrounds_clause(session: Session, user: User) -> ColumnElement[bool]:
    """The tester policy on playgrounds, as a WHERE clause (the SQLite stand-in for RLS)."""
    return and_(Playground.is_active.is_(True), email_allowed_clause(session, user.email.lower()))
