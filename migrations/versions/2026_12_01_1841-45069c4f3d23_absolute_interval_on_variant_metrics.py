"""The absolute interval and the relative p-value on variant_metrics, beside the ones already stored

variant_metrics kept the relative interval (ci_low/ci_high) next to the absolute p-value, a pair that
can disagree near the significance edge. This adds the interval the absolute p-value inverts
(ci_abs_low/ci_abs_high) and the p-value the relative interval inverts (p_value_rel). Rows written
before it keep NULL there until their stage is materialised again: they are derived data, and
recomputing statistics inside a migration would duplicate analysis/. No view reads variant_metrics.

Revision ID: 45069c4f3d23
Revises: 5e1a7c0d9b21
Create Date: 2026-12-01 18:41:41
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "45069c4f3d23"
down_revision = "5e1a7c0d9b21"
branch_labels = None
depends_on = None

COLUMNS = ("ci_abs_low", "ci_abs_high", "p_value_rel")


def upgrade() -> None:
    # Batch mode: SQLite adds the columns in place; PostgreSQL gets plain ALTER TABLE ... ADD COLUMN.
    with op.batch_alter_table("variant_metrics", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Float(), nullable=True))


def downgrade() -> None:
    # On SQLite this recreates the table (move and copy); its named constraints and indexes come along.
    with op.batch_alter_table("variant_metrics", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
