"""The panel's stopping record on experiments survives down and up, and only known reasons are stored."""

import pytest
from alembic import command
from sqlalchemy import exc, inspect, text

from analysis.stopping import StopReason
from db.migrate import alembic_config, check, upgrade_to_head
from db.models import Experiment
from db.models.enums import PANEL_STOP_REASON
from db.session import make_engine, session_scope

BEFORE_PANEL_STOP = "8d3a6e2f1b45"
COLUMNS = {"panel_stop_reason", "panel_rounds", "panel_sessions_per_arm"}


def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns("experiments")}
    finally:
        engine.dispose()


def test_the_database_allows_exactly_the_stop_reasons_the_rule_gives():
    assert PANEL_STOP_REASON == tuple(reason.value for reason in StopReason)


def test_panel_stop_columns_round_trip(db_url: str):
    with session_scope(db_url) as session:
        session.add(Experiment(repo_url="https://example.com/r.git", goal="g", panel_stop_reason="decided",
                               panel_rounds=3, panel_sessions_per_arm=48))
    command.downgrade(alembic_config(db_url), BEFORE_PANEL_STOP)
    assert not COLUMNS & _columns(db_url)
    upgrade_to_head(db_url)
    check(db_url)
    assert COLUMNS <= _columns(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            # Experiments measured before keep NULL: their panel was one fixed round.
            assert conn.execute(text("SELECT panel_stop_reason, panel_rounds FROM experiments")).one() == (None, None)
        with pytest.raises(exc.IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE experiments SET panel_stop_reason = 'bored'"))
        with engine.begin() as conn:
            conn.execute(text("UPDATE experiments SET panel_stop_reason = 'nothing_to_compare'"))
    finally:
        engine.dispose()
