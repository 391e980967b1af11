"""Programmatic Alembic: the CLI and the tests build the schema this way (never create_all)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(toml_file=str(PROJECT_ROOT / "pyproject.toml"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", (url or get_settings().resolved_database_url).replace("%", "%%"))
    return cfg


def upgrade_to_head(url: str | None = None) -> str:
    url = url or get_settings().resolved_database_url
    command.upgrade(alembic_config(url), "head")
    return url


_AT_HEAD: set[str] = set()


def ensure_schema(url: str | None = None) -> str:
    """Upgrade to head once per process, so a first command on a fresh machine just works."""
    url = url or get_settings().resolved_database_url
    if url not in _AT_HEAD:
        upgrade_to_head(url)
        _AT_HEAD.add(url)
    return url


def downgrade_to_base(url: str) -> None:
    command.downgrade(alembic_config(url), "base")


def new_revision(message: str, url: str) -> None:
    """For developers: autogenerate a dated revision against a database at head."""
    command.revision(alembic_config(url), message=message, autogenerate=True)


def check(url: str) -> None:
    """Raise if the models and the migration history disagree (alembic check)."""
    command.check(alembic_config(url))


if __name__ == "__main__":  # python -m db.migrate "message" [URL]
    import sys

    new_revision(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else get_settings().resolved_database_url)
