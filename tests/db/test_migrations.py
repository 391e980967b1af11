"""One Alembic history, on both dialects: up, down, up again, one head, no drift from the models."""

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from db.base import Base
from db.migrate import alembic_config, check, downgrade_to_base, upgrade_to_head


def test_single_head_and_dated_revision_files():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        name = revision.path.rsplit("/", 1)[-1]
        assert name[:4].isdigit() and name[4] == "_", f"{name} is not dated"


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _views(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_view_names())
    finally:
        engine.dispose()


def test_up_down_up_and_check(db_url: str):
    assert _tables(db_url) == set(Base.metadata.tables)
    assert {"playground_metrics", "question_metrics", "open_responses"} <= _views(db_url)
    check(db_url)  # raises if the models and the history disagree
    downgrade_to_base(db_url)
    assert _tables(db_url) == set()
    assert _views(db_url) == set()
    upgrade_to_head(db_url)
    assert _tables(db_url) == set(Base.metadata.tables)
    check(db_url)
