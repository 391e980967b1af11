"""Stored statistics: the sample ratio check, each arm's interval, the Bradley-Terry ranking

The metrics stages computed these and kept them only in an event or Dagster metadata, so the dashboard
computed them a second time (and the ranking with a different bootstrap). They are now written once by
the stage (a statistics_runs row per experiment and stage, its arm_values and arm_rankings) and read
by the dashboard. New tables only: existing experiments show "not computed yet" until their metrics
stages are materialised again.

Revision ID: b7d41e9a2c58
Revises: c462a3e5d746
Create Date: 2026-12-08 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b7d41e9a2c58"
down_revision = "c462a3e5d746"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True, astext_type=sa.Text()),
                                               "postgresql")


def upgrade() -> None:
    op.create_table(
        "statistics_runs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("experiment_id", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("playground_id", sa.String(32), nullable=True),
        sa.Column("srm_p_value", sa.Float(), nullable=True),
        sa.Column("srm_chi2", sa.Float(), nullable=True),
        sa.Column("srm_flagged", sa.Boolean(), nullable=True),
        sa.Column("srm_observed", JSON, nullable=True),
        sa.Column("srm_error_code", sa.String(64), nullable=True),
        sa.Column("ranking_comparisons", sa.Integer(), nullable=True),
        sa.Column("ranking_bootstrap", sa.Integer(), nullable=True),
        sa.Column("ranking_error_code", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('panel', 'human')", name=op.f("ck_statistics_runs_source_allowed")),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.id"], ondelete="CASCADE",
                                name=op.f("fk_statistics_runs_experiment_id_experiments")),
        sa.ForeignKeyConstraint(["playground_id"], ["playgrounds.id"], ondelete="CASCADE",
                                name=op.f("fk_statistics_runs_playground_id_playgrounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistics_runs")),
        sa.UniqueConstraint("experiment_id", "source", name=op.f("uq_statistics_runs_experiment_id_source")),
    )
    op.create_index(op.f("ix_statistics_runs_experiment_id"), "statistics_runs", ["experiment_id"])
    op.create_table(
        "arm_values",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("arm", sa.String(64), nullable=False),
        sa.Column("metric", sa.String(255), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("ci_low", sa.Float(), nullable=True),
        sa.Column("ci_high", sa.Float(), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["statistics_runs.id"], ondelete="CASCADE",
                                name=op.f("fk_arm_values_run_id_statistics_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arm_values")),
        sa.UniqueConstraint("run_id", "arm", "metric", name=op.f("uq_arm_values_run_id_arm_metric")),
    )
    op.create_index(op.f("ix_arm_values_run_id"), "arm_values", ["run_id"])
    op.create_table(
        "arm_rankings",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("arm", sa.String(64), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("ci_low", sa.Float(), nullable=False),
        sa.Column("ci_high", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("wins", sa.Float(), nullable=False),
        sa.Column("comparisons", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["statistics_runs.id"], ondelete="CASCADE",
                                name=op.f("fk_arm_rankings_run_id_statistics_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arm_rankings")),
        sa.UniqueConstraint("run_id", "arm", name=op.f("uq_arm_rankings_run_id_arm")),
    )
    op.create_index(op.f("ix_arm_rankings_run_id"), "arm_rankings", ["run_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_arm_rankings_run_id"), table_name="arm_rankings")
    op.drop_table("arm_rankings")
    op.drop_index(op.f("ix_arm_values_run_id"), table_name="arm_values")
    op.drop_table("arm_values")
    op.drop_index(op.f("ix_statistics_runs_experiment_id"), table_name="statistics_runs")
    op.drop_table("statistics_runs")
