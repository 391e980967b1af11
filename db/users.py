"""Users with roles, role checks, and the audit log every admin action writes (seed 002)."""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import AuditLog, User
from db.models.enums import USER_ROLE
from db.validation import InvalidInput

MAX_EMAIL_CHARS = 255


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
