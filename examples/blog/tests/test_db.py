import sqlite3

import pytest
from blog.db import get_db


def test_get_db_is_one_connection_per_context(app):
    with app.app_context():
        db = get_db()
        assert db is get_db()
    with pytest.raises(sqlite3.ProgrammingError) as e:
        db.execute("SELECT 1")
    assert "closed" in str(e.value)


def test_init_db_command(runner, monkeypatch):
    called = []
    monkeypatch.setattr("blog.db.init_db", lambda: called.append(True))
    result = runner.invoke(args=["init-db"])
    assert "Initialized" in result.output
    assert called


def test_init_db_seeds_posts(app):
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM post").fetchone()[0] >= 3
