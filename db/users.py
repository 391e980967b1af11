"""Users with roles, role checks, tester logins, and the audit log every admin action writes.

On PostgreSQL every tester has a LOGIN role of their own, `variantlab_t_<user id>`, member of
`variantlab_tester` and of nothing else, recorded in `variantlab_rls.tester_logins` (migration
`*_tester_logins_and_evaluation_leases.py`). The app connects as that role for the tester's queries
(db/rls.py), so the policies know who is asking from the login itself. Creating one needs a database
role with CREATEROLE (on PostgreSQL 16 and later, also ADMIN OPTION on `variantlab_tester`).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from db.models import AuditLog, User
from db.models.enums import USER_ROLE
from db.validation import InvalidInput

MAX_EMAIL_CHARS = 255
TESTER_ROLE = "variantlab_tester"  # created by the migration *_evaluation_views_and_rls.py
TESTER_LOGIN_PREFIX = "variantlab_t_"
# One tester's dashboard needs one connection at a time; the limit stops one login exhausting the server's.
TESTER_CONNECTION_LIMIT = 5
# A transaction left open after a claim holds the arm's lock; the app's own are short. A default the
# tester may override (USERSET), so it stops accidents, not a determined tester (see docs/data-model.md).
TESTER_IDLE_IN_TRANSACTION_TIMEOUT = "60s"
_SAFE_ID = re.compile(r"^[a-z0-9_]{1,40}$")  # fits a role name (63 bytes) with the prefix, needs no quoting
_LOGINS = "variantlab_rls.tester_logins"


class PermissionDenied(PermissionError):
    """The user's role does not allow the action; one clear line saying which roles would."""


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively everywhere (users, restricted_emails, RLS settings)."""
    value = email.strip().lower()
    local, _, domain = value.partition("@")
    if not local or not domain or " " in value or len(value) > MAX_EMAIL_CHARS:
        raise InvalidInput(f"{email!r} is not an email address")
    return value


def get_or_create_user(session: Session, email: str, role: str = "tester", full_name: str | None = None) -> User:
    """The user with this email, created with `role` if new.

    An existing user keeps their role: signing in must never change privileges as a side effect.
    """
    if role not in USER_ROLE:
        raise InvalidInput(f"unknown role {role!r}; use one of: {', '.join(USER_ROLE)}")
    address = normalise_email(email)
    user = session.scalar(select(User).where(func.lower(User.email) == address))
    if user is None:
        user = User(email=address, role=role, full_name=full_name)
        session.add(user)
        session.flush()
    if user.role == "tester":
        ensure_tester_login(session, user)
    return user


def get_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise PermissionDenied(f"unknown user {user_id}")
    return user


def require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise PermissionDenied(f"{user.email} is {user.role}; this needs role {' or '.join(roles)}")


def audit(
    session: Session,
    *,
    actor_id: str | None,
    action: str,
    resource_type: str,
    resource_id: str | None,
    old_values: dict[str, Any] | None,
    new_values: dict[str, Any] | None,
    ip_address: str | None = None,
) -> AuditLog:
    """One audit row in the caller's transaction, so the action and its record commit or vanish together."""
    if ip_address is not None:
        try:
            ip_address = str(ipaddress.ip_address(ip_address))
        except ValueError:
            raise InvalidInput(f"{ip_address!r} is not an IP address") from None
    row = AuditLog(
        user_id=actor_id,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        old_values=old_values,
        new_values=new_values,
        ip_address=ip_address,
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class LoginRole:
    """The database role a tester's connections log in as, and its password (never shown in a repr)."""

    role: str
    password: str = field(repr=False)


def login_role_name(user_id: str) -> str:
    if not _SAFE_ID.match(user_id):
        raise InvalidInput(f"user id {user_id!r} cannot name a database role")
    return TESTER_LOGIN_PREFIX + user_id


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def ensure_tester_login(session: Session, user: User) -> LoginRole | None:
    """The tester's own LOGIN role, created on first use, in the caller's transaction (None on SQLite)."""
    if not _postgres(session):
        return None
    require_role(user, "tester")
    role = login_role_name(user.id)
    # Two first uses of one tester at once would both try CREATE ROLE; the second waits here instead.
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:r))"), {"r": role})
    row = session.execute(text(f"SELECT role_name, password FROM {_LOGINS} WHERE user_id = :u"),
                          {"u": user.id}).first()
    if row is not None:
        return LoginRole(row.role_name, row.password)
    password = secrets.token_hex(24)
    _create_or_adopt_role(session, role, password)
    session.execute(text(f"INSERT INTO {_LOGINS} (role_name, user_id, password) VALUES (:r, :u, :p)"),
                    {"r": role, "u": user.id, "p": password})
    return LoginRole(role, password)


def _create_or_adopt_role(session: Session, role: str, password: str) -> None:
    quoted = session.get_bind().dialect.identifier_preparer.quote(role)
    # Roles are cluster-wide: one left by a dropped database (or a copy of this one) is reused only if
    # it is exactly what we would create, a plain login whose one membership is the tester role.
    existing = session.execute(text(
        "SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls "
        "OR NOT r.rolinherit AS unlike_ours, ARRAY(SELECT g.rolname::text FROM pg_auth_members m "
        "JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) AS member_of "
        "FROM pg_roles r WHERE r.rolname = :r"), {"r": role}).first()
    try:
        if existing is None:
            session.execute(text(
                f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
                f"INHERIT CONNECTION LIMIT {TESTER_CONNECTION_LIMIT} PASSWORD '{password}' IN ROLE {TESTER_ROLE}"))
        elif existing.unlike_ours or existing.member_of != [TESTER_ROLE]:
            raise PermissionDenied(f"database role {role} exists with other rights than a tester login; "
                                   "drop it or make it a plain member of variantlab_tester")
        else:
            session.execute(text(f"ALTER ROLE {quoted} LOGIN CONNECTION LIMIT {TESTER_CONNECTION_LIMIT} "
                                 f"PASSWORD '{password}'"))
        session.execute(text(f"ALTER ROLE {quoted} SET idle_in_transaction_session_timeout = "
                             f"'{TESTER_IDLE_IN_TRANSACTION_TIMEOUT}'"))
    except ProgrammingError as exc:
        if getattr(exc.orig, "pgcode", None) == "42501":  # insufficient_privilege
            raise PermissionDenied("the app's database role cannot create tester logins: it needs CREATEROLE "
                                   "(and, on PostgreSQL 16+, ADMIN OPTION on variantlab_tester)") from exc
        raise


def reset_tester_login(session: Session, user: User) -> LoginRole:
    """A fresh password for the tester's login (any role may change its own, locking the app out)."""
    login = ensure_tester_login(session, user)
    if login is None:
        raise InvalidInput("tester logins exist on PostgreSQL only")
    password = secrets.token_hex(24)
    quoted = session.get_bind().dialect.identifier_preparer.quote(login.role)
    session.execute(text(f"ALTER ROLE {quoted} PASSWORD '{password}'"))
    session.execute(text(f"UPDATE {_LOGINS} SET password = :p WHERE role_name = :r"),
                    {"p": password, "r": login.role})
    return LoginRole(login.role, password)


def drop_tester_logins(session: Session) -> list[str]:
    """Drop every tester login of this database (roles outlive a dropped database); returns their names."""
    if not _postgres(session):
        return []
    roles = list(session.scalars(text(f"SELECT role_name FROM {_LOGINS} ORDER BY role_name")))
    preparer = session.get_bind().dialect.identifier_preparer
    for role in roles:
        session.execute(text(f"DROP ROLE IF EXISTS {preparer.quote(role)}"))
    session.execute(text(f"DELETE FROM {_LOGINS}"))
    return roles
