"""How the browser panel ended on experiments: panel_stop_reason, panel_rounds, panel_sessions_per_arm

The browser_results panel now sends users in rounds until its primary decision is reached on
always-valid evidence or its budget is spent (analysis/stopping.py). Why it stopped, after how many
rounds and with how many sessions per arm are kept on the experiment, where the report, the dashboard
and the metrics stage (which decides on always-valid p-values when the panel looked more than once)
read them. Experiments measured before it keep NULL: their panel was one fixed round.

Plain ALTER TABLE on both dialects: batch mode would rebuild experiments on SQLite, and the views that
read it would go with the old table. SQLite takes the CHECK constraint inline with the new column (it
cannot add a table constraint in place); PostgreSQL adds it as usual.

Revision ID: c462a3e5d746
Revises: 8d3a6e2f1b45
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c462a3e5d746"
down_revision = "8d3a6e2f1b45"
branch_labels = None
depends_on = None

REASONS = ("decided", "max_sessions", "time_budget", "nothing_to_compare")  # db.models.enums.PANEL_STOP_REASON
CHECK_NAME = "ck_experiments_panel_stop_reason_allowed"
CHECK = "panel_stop_reason IN ({})".format(", ".join(f"'{r}'" for r in REASONS))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE experiments ADD COLUMN panel_stop_reason VARCHAR(32) "
                   f"CONSTRAINT {CHECK_NAME} CHECK ({CHECK})")
    else:
        op.add_column("experiments", sa.Column("panel_stop_reason", sa.String(32), nullable=True))
        op.create_check_constraint(op.f(CHECK_NAME), "experiments", CHECK)
    op.add_column("experiments", sa.Column("panel_rounds", sa.Integer(), nullable=True))
    op.add_column("experiments", sa.Column("panel_sessions_per_arm", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("experiments", "panel_sessions_per_arm")
    op.drop_column("experiments", "panel_rounds")
    if op.get_bind().dialect.name != "sqlite":  # on SQLite the column's own constraint goes with it
        op.drop_constraint(op.f(CHECK_NAME), "experiments", type_="check")
    op.drop_column("experiments", "panel_stop_reason")
