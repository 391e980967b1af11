"""The bring-up plan on experiments: how the app was installed, built and started, and why

Stored as JSON when the first stage opens the app, so the report and the dashboard can show the plan
and its evidence. Experiments created before it keep NULL until test_flows is materialised again.

Revision ID: 7b3e9d21c4a5
Revises: 978b7a14b2df
Create Date: 2026-12-06 20:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "7b3e9d21c4a5"
down_revision = "978b7a14b2df"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both dialects (SQLite >= 3.35 drops a column in place): batch mode would rebuild
# experiments on SQLite, and the views that read it would go with the old table.
def upgrade() -> None:
    op.add_column("experiments", sa.Column(
        "bringup_plan", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True))


def downgrade() -> None:
    op.drop_column("experiments", "bringup_plan")
