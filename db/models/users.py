"""Users with roles, and the audit log of admin actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, CreatedAt, IPAddress, Timestamps
from db.models.enums import USER_ROLE, one_of
from ids import new_id


class User(Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (one_of("role", USER_ROLE),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("user"))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="tester", index=True)
    last_login: Mapped[dt.datetime | None]


class AuditLog(CreatedAt, Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_resource", "resource_type", "resource_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("audit"))
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(255))
    resource_type: Mapped[str] = mapped_column(String(100))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    old_values: Mapped[dict[str, Any] | None]
    new_values: Mapped[dict[str, Any] | None]
    ip_address: Mapped[str | None] = mapped_column(IPAddress())
