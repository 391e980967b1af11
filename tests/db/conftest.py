"""Fixtures of the database tests: throwaway PostgreSQL databases take their tester logins with them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from db.users import drop_tester_logins


def drop_logins_of(url: str) -> None:
    """Tester logins are cluster-wide roles: without this every run would leave its testers behind."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with Session(engine) as session, session.begin():
            if session.scalar(text("SELECT to_regclass('variantlab_rls.tester_logins')")) is not None:
                drop_tester_logins(session)
    finally:
        engine.dispose()


@pytest.fixture
def pg_url(pg_url: str) -> Iterator[str]:
    """The project-wide throwaway database, and after the test its tester logins dropped."""
    yield pg_url
    drop_logins_of(pg_url)
