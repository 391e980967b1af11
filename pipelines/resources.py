"""Resources the assets use. Secrets never live here: they stay in the settings (SecretStr)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from sqlalchemy.orm import Session

from db.migrate import ensure_schema
from db.session import session_scope
from settings import Settings, get_settings


class AppDatabase(dg.ConfigurableResource):
    """The app database. `url` unset means the settings' URL (VARIANTLAB_DATABASE_URL, else SQLite)."""

    url: str | None = None

    def ready_url(self) -> str:
        """The URL, with the schema upgraded to head (once per process)."""
        return ensure_schema(self.url or get_settings().resolved_database_url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.ready_url()) as session:
            yield session



class AppSettings(dg.ConfigurableResource):
    """The settings the stages hand their agents, section by section (`build().sandbox`, ...).

    Read from the VARIANTLAB_* environment when a stage asks, never at import, so an agent is configured
    by what its stage passes it rather than by reaching for the settings itself."""

    def build(self) -> Settings:
        return get_settings()
