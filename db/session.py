"""Engines and sessions for the app database (SQLite embedded default, PostgreSQL in production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from db.validation import InvalidInput
from settings import get_settings

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
URL_FORMS = "sqlite:///PATH or postgresql+psycopg2://USER:PASSWORD@HOST:PORT/DB"
# A database that does not answer fails the command in seconds instead of hanging on a dead host.
CONNECT_TIMEOUT_S = 10


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a pipeline stage writes; busy_timeout serialises writers
    # instead of failing them; SQLite only enforces foreign keys when asked to.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def checked_url(url: str) -> URL:
    """The parsed URL of a database we can drive, or InvalidInput saying what to change (the URL is
    shown without its password, or not at all when it does not parse)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(f"VARIANTLAB_DATABASE_URL is not a URL SQLAlchemy can parse; use {URL_FORMS}") from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise InvalidInput(f"database {shown}: {parsed.get_backend_name()} is not supported; use {URL_FORMS}")
    try:
        parsed.get_dialect().import_dbapi()
    except ArgumentError:  # NoSuchModuleError: no such driver for this backend
        raise InvalidInput(f"database {shown}: SQLAlchemy has no driver {parsed.get_driver_name()!r} for "
                           f"{parsed.get_backend_name()}; use {URL_FORMS}") from None
    except ImportError as exc:
        instead = "postgresql+psycopg2:// (installed)" if parsed.get_backend_name() == "postgresql" else URL_FORMS
        raise InvalidInput(f"database {shown}: its driver {parsed.get_driver_name()!r} is not installed "
                           f"(no module {exc.name!r}); install it, or use {instead}") from None
    return parsed


def make_engine(url: str) -> Engine:
    parsed = checked_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InvalidInput(f"cannot create {folder} for the SQLite database: {exc.strerror} "
                                   "(VARIANTLAB_DATA_DIR or VARIANTLAB_DATABASE_URL must name a folder)") from None
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    libpq = parsed.get_driver_name() in ("psycopg2", "psycopg")
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S} if libpq else {})


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    return make_engine(url or get_settings().resolved_database_url)


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any error (nothing half-written)."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
