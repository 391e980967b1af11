"""Row-level security: a tester's queries run on a connection that logs in as that tester.

On PostgreSQL, `tester_session` / `tester_connection` connect as the tester's own LOGIN role
(`variantlab_t_<user id>`, provisioned by db/users.py), not as the app's role stepping down. The
policies of the migrations `*_evaluation_views_and_rls.py` and `*_tester_logins_and_evaluation_leases.py`
read who is asking from session_user, which nothing said on the connection can change: RESET ROLE
lands on the tester again, SET ROLE reaches no role with more rights, and `variantlab.user_id` is no
longer read. Every query is filtered, including the metrics views (security_invoker), so a forgotten
WHERE clause in Python cannot leak another tester's rows, and the tester role writes nothing
directly: evaluations go through the database functions (db/evaluation_leases.py).

SQLite has no roles or row-level security. There these context managers only open the transaction,
and the service (db/evaluations.py) enforces the same rules in its own queries:
`visible_playgrounds_clause` and the user_id filters are applied on both dialects, so the rules hold
on SQLite too, and on PostgreSQL the database enforces them a second time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    create_engine,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from db.models import Playground, User
from db.session import CONNECT_TIMEOUT_S
from db.users import LoginRole, ensure_tester_login, reset_tester_login
from db.validation import InvalidInput

# (app database URL, user id) -> login: one lookup per tester and process, not one per request.
_logins: dict[tuple[str, str], LoginRole] = {}


def _app_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _login(engine: Engine, user: User, *, reset: bool = False) -> LoginRole:
    key = (_app_url(engine), user.id)
    if reset or key not in _logins:
        # Provisioning runs on the app's own connection, the one role here allowed to create roles.
        with Session(bind=engine) as session, session.begin():
            login = reset_tester_login(session, user) if reset else ensure_tester_login(session, user)
        if login is None:
            raise InvalidInput("tester logins exist on PostgreSQL only")
        _logins[key] = login
    return _logins[key]


@lru_cache(maxsize=256)
def _tester_engine(app_url: str, role: str, password: str) -> Engine:
    # NullPool: idle pooled connections for every tester who ever visited would fill the server.
    url = make_url(app_url).set(username=role, password=password)
    return create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})


def _connect(engine: Engine, user: User) -> Connection:
    login = _login(engine, user)
    try:
        return _tester_engine(_app_url(engine), login.role, login.password).connect()
    except OperationalError:
        # Any role may change its own password, which locks the app out of that tester's login: set a
        # fresh one and try once more (a server that is down fails again, with its own message).
        login = _login(engine, user, reset=True)
        return _tester_engine(_app_url(engine), login.role, login.password).connect()


@contextmanager
def tester_connection(engine: Engine, user: User) -> Iterator[Connection]:
    """A Core connection inside one transaction, as the tester's own login on PostgreSQL."""
    if engine.dialect.name != "postgresql":
        with engine.connect() as conn, conn.begin():
            yield conn
        return
    with _connect(engine, user) as conn, conn.begin():
        yield conn


@contextmanager
def tester_session(engine: Engine, user: User) -> Iterator[Session]:
    """An ORM session inside one transaction (committed on success, rolled back on error).

    Do not call session.commit() inside: the session joins the connection's one transaction.
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
