"""Time to ready and the failure cause on browser_sessions

Simulated users now wait for a page to be ready (agents/browser/readiness.py). `time_to_ready_ms` is
how long the session's first page took from navigation to ready (the bound when it never was);
`failure_cause` says whose failure an unsuccessful session was: the user's at the task, or the
site's (a page never ready, a site that stopped answering). Sessions written before it keep NULL
time to ready; their failures were all counted as the users', so they become 'user'.

Plain ALTER TABLE on both dialects: batch mode would rebuild browser_sessions on SQLite, and dropping
the old table cascades into execution_logs, whose rows reference it. SQLite takes the CHECK constraint
inline with the new column (it cannot add a table constraint in place); PostgreSQL adds it as usual.

Revision ID: 30de86386d46
Revises: 7b3e9d21c4a5
Create Date: 2026-12-06 20:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "30de86386d46"
down_revision = "7b3e9d21c4a5"
branch_labels = None
depends_on = None

CAUSES = ("none", "user", "site_not_ready", "site_error")  # db.models.enums.FAILURE_CAUSE at this revision
CHECK_NAME = "ck_browser_sessions_failure_cause_allowed"
CHECK = "failure_cause IN ({})".format(", ".join(f"'{c}'" for c in CAUSES))


def upgrade() -> None:
    op.add_column("browser_sessions", sa.Column("time_to_ready_ms", sa.Float(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE browser_sessions ADD COLUMN failure_cause VARCHAR(16) DEFAULT 'none' NOT NULL "
            f"CONSTRAINT {CHECK_NAME} CHECK ({CHECK})"
        )
    else:
        op.add_column(
            "browser_sessions",
            sa.Column("failure_cause", sa.String(16), server_default="none", nullable=False),
        )
        op.create_check_constraint(op.f(CHECK_NAME), "browser_sessions", CHECK)
    op.execute(sa.text("UPDATE browser_sessions SET failure_cause = 'user' WHERE success = :no").bindparams(no=False))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":  # on SQLite the column's own constraint goes with it
        op.drop_constraint(op.f(CHECK_NAME), "browser_sessions", type_="check")
    op.drop_column("browser_sessions", "failure_cause")
    op.drop_column("browser_sessions", "time_to_ready_ms")
