import sqlite3
from datetime import datetime

import click
from flask import current_app, g
from werkzeug.security import generate_password_hash

# Posts that make the front page look alive on a fresh install.
SEED_AUTHOR = ("maria", "maria@example.com")
SEED_POSTS = [
    (
        "2024-03-02 09:15:00",
        "Why I keep a field notebook",
        (
            "Every walk starts with a date and the weather. Over a year the pages turn into a map "
            "of what changed: the first swallows, the late frost, the year the pond dried up."
        ),
    ),
    (
        "2024-03-09 18:40:00",
        "Ten minutes a day",
        (
            "You do not need an hour. Ten minutes at the window with a pencil is enough to notice "
            "which birds come to the feeder and in what order."
        ),
    ),
    (
        "2024-03-16 07:05:00",
        "Sketching without fear",
        (
            "Nobody grades a field sketch. Draw the shape first, label what you saw, and move on. "
            "The notes matter more than the drawing."
        ),
    ),
]


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"], detect_types=sqlite3.PARSE_DECLTYPES)
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(e=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db(seed=True):
    db = get_db()
    with current_app.open_resource("schema.sql") as f:
        db.executescript(f.read().decode("utf8"))
    if seed:
        username, email = SEED_AUTHOR
        cur = db.execute(
            "INSERT INTO user (username, email, password) VALUES (?, ?, ?)",
            (username, email, generate_password_hash("fieldnotes2024")),
        )
        for created, title, body in SEED_POSTS:
            db.execute(
                "INSERT INTO post (author_id, created, title, body) VALUES (?, ?, ?, ?)",
                (cur.lastrowid, created, title, body),
            )
    db.commit()


@click.command("init-db")
def init_db_command():
    """Clear the existing data and create new tables."""
    init_db()
    click.echo("Initialized the database.")


sqlite3.register_converter("timestamp", lambda v: datetime.fromisoformat(v.decode()))


def init_app(app):
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
