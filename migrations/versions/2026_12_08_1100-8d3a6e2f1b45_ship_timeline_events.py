"""Timeline event types for shipping the champion: ship_started, ship_completed, ship_failed

`variantlab ship` pushes the champion run's change as a branch (and on GitHub opens a pull request);
each attempt is on the timeline. Only the CHECK constraint on timeline_events.type changes: the pull
request link and the commit go to existing columns (solve_runs.pr_url, solve_runs.commit_hash,
solve_runs.commit_message) and the deploy to the variant's existing deploy fields.

SQLite cannot alter a CHECK constraint, so batch mode rebuilds timeline_events there (no table
references it, so nothing cascades); PostgreSQL drops and re-creates the constraint in place.

Revision ID: 8d3a6e2f1b45
Revises: 4f2b8c1d9e07
Create Date: 2026-12-08 11:00:00
"""

from __future__ import annotations

from alembic import op

revision = "8d3a6e2f1b45"
down_revision = "4f2b8c1d9e07"
branch_labels = None
depends_on = None

# db.models.enums.EVENT_TYPES before and at this revision
BEFORE = (
    "experiment_created", "status_changed", "stage_started", "stage_completed", "stage_failed",
    "session_created", "session_completed", "suggestions_generated", "feedback_added", "feedback_batch_sent",
    "run_started", "phase_update", "checkpoint", "run_completed", "run_failed", "run_retry", "deploy_started",
    "deploy_building", "deploy_success", "deploy_failed", "deploy_retry", "champion_selected", "user_approved",
    "admin_verified", "version_updated",
)
SHIP = ("ship_started", "ship_completed", "ship_failed")
AFTER = BEFORE[:BEFORE.index("champion_selected") + 1] + SHIP + BEFORE[BEFORE.index("champion_selected") + 1:]


def _check(types: tuple[str, ...]) -> str:
    return "type IN ({})".format(", ".join(f"'{t}'" for t in types))


def _replace(types: tuple[str, ...]) -> None:
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_timeline_events_type_allowed"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_timeline_events_type_allowed"), _check(types))


def upgrade() -> None:
    _replace(AFTER)


def downgrade() -> None:
    # A ship event has no type to fall back to before this revision: the timeline loses it.
    op.execute("DELETE FROM timeline_events WHERE type IN ({})".format(", ".join(f"'{t}'" for t in SHIP)))
    _replace(BEFORE)
