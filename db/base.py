"""One typed declarative base for SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, MetaData, String, Text, TypeDecorator
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware timestamps on both dialects (SQLite stores naive UTC; we re-attach UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use db.base.utcnow() or an aware datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class IPAddress(TypeDecorator[str]):
    """INET on PostgreSQL, validated text on SQLite."""

    impl = String(45)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        return dialect.type_descriptor(INET()) if dialect.name == "postgresql" else dialect.type_descriptor(String(45))

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else str(ipaddress.ip_address(value))


# JSONB on PostgreSQL (indexable, `?` operator for RLS), JSON text on SQLite. none_as_null: Python
# None is stored as SQL NULL, not the JSON value 'null', so "IS NULL" (e.g. the RLS policy's
# "restricted_emails IS NULL = public") means what it says.
JSONType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
        list[str]: JSONType,
        list[dict[str, Any]]: JSONType,
        str: Text(),
    }


class CreatedAt:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Timestamps(CreatedAt):
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
