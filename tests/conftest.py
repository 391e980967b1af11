"""Project-wide fixtures: an isolated data dir, throwaway databases on both dialects."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ADMIN_URL = os.environ.get("VARIANTLAB_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


_RUN_DATA_DIR: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    # Every test run gets its own scratch data dir, so nothing touches the user's .variantlab/ and
    # nothing piles up; settings that name another database are ignored for the same reason.
    global _RUN_DATA_DIR
    _RUN_DATA_DIR = tempfile.mkdtemp(prefix="variantlab-tests-")
    os.environ["VARIANTLAB_DATA_DIR"] = _RUN_DATA_DIR
    os.environ.pop("VARIANTLAB_DATABASE_URL", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _RUN_DATA_DIR:
        shutil.rmtree(_RUN_DATA_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Settings are cached per process; tests that change the environment must see the change."""
    from db.session import get_engine
    from settings import get_settings

    get_settings.cache_clear()
    get_engine.cache_clear()
    yield
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'app.db'}"


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL admin URL. In CI an unreachable server fails the test; locally it skips."""
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any connection problem means the same thing here
        message = f"PostgreSQL not reachable at {make_url(PG_ADMIN_URL).render_as_string()}: {exc.__class__.__name__}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return PG_ADMIN_URL


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A throwaway database, dropped afterwards."""
    name = f"variantlab_test_{secrets.token_hex(6)}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from db.session import get_engine

        get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on both dialects, schema built by Alembic (never create_all)."""
    from db.migrate import upgrade_to_head

    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    upgrade_to_head(url)
    return url


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def system_chromium() -> str:
    """The Chromium the panel itself would drive (the same lookup as `agents.browser.chromium`, with the
    browser settings a run reads: VARIANTLAB_BROWSER__CHROMIUM_PATH, when set, names it).

    `make test` installs Chromium, so in CI its absence is a failure; on a laptop it is a skip.
    """
    from agents.browser.chromium import BrowserError, chromium_path
    from settings import Settings

    try:
        return chromium_path(Settings().browser)
    except BrowserError as exc:
        if in_ci():
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture(autouse=True)
def _dagster_state_storage_per_test() -> Iterator[None]:
    """Each DagsterInstance publishes its state storage in a context variable until disposed; an
    ephemeral instance a test never disposed must not leak into the next test's definitions load."""
    from dagster._core.storage.defs_state.base import set_defs_state_storage

    with set_defs_state_storage(None):
        yield
