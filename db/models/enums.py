"""Allowed values of every constrained column, in one place (the CHECK constraints use these)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint

from db.stage_names import MAIN_STAGES

RUN_STATUS = ("pending", "running", "completed", "failed")
EXPERIMENT_STATUS = RUN_STATUS
# an experiment's workflow, from proposed to verified by an admin
WORKFLOW_STATUS = ("proposed", "implementing", "beta", "in_review", "verified")
VARIANT_TYPE = ("control", "experiment")
STAGES = MAIN_STAGES  # a stage row names a stage of the experiment's run (db/stage_names.py)
STAGE_STATUS = RUN_STATUS
TEST_SESSION_STATUS = ("pending", "generating", "ready", "running", "completed", "failed")
FLOW_STATUS = RUN_STATUS
# a browser agent's and a browser session's statuses, unified (see docs/data-model.md)
BROWSER_SESSION_STATUS = ("pending", "starting", "running", "completed", "failed", "stopped")
BROWSER_AGENT_KIND = ("simulated", "browser_use")
# whose failure an unsuccessful session was (agents.browser.results.FailureCause)
FAILURE_CAUSE = ("none", "user", "site_not_ready", "site_error")
LOG_LEVEL = ("debug", "info", "warning", "error")
SOLVE_STATUS = ("pending", "running", "completed", "failed", "cancelled")
# a solve run's statuses, and "retry" for a run that is retried
SOLVE_RUN_STATUS = ("pending", "running", "completed", "failed", "cancelled", "retry")
EXECUTION_PHASE = ("planning", "implementing", "testing", "refining", "deploying")
DEPLOY_STATUS = ("queued", "building", "ready", "error", "canceled")
USER_ROLE = ("admin", "analyst", "tester")
PLAYGROUND_TYPE = ("ab_testing", "tuning")
QUESTION_TYPE = ("select", "input_string")
AUTHOR_TYPE = ("user", "system", "agent")  # who wrote a timeline event
EVENT_STATUS = ("pending", "in_progress", "completed", "failed")
METRIC_TYPE = ("binomial", "mean")
# why the browser_results panel stopped sending rounds of users (analysis.stopping.StopReason)
PANEL_STOP_REASON = ("decided", "max_sessions", "time_budget", "nothing_to_compare")
# the kinds of timeline event
EVENT_TYPES = (
    "experiment_created",
    "status_changed",
    "stage_started",
    "stage_completed",
    "stage_failed",
    "session_created",
    "session_completed",
    "suggestions_generated",
    "feedback_added",
    "feedback_batch_sent",
    "run_started",
    "phase_update",
    "checkpoint",
    "run_completed",
    "run_failed",
    "run_retry",
    "deploy_started",
    "deploy_building",
    "deploy_success",
    "deploy_failed",
    "deploy_retry",
    "champion_selected",
    # the champion shipped as a branch / pull request (variantlab ship)
    "ship_started",
    "ship_completed",
    "ship_failed",
    "user_approved",
    "admin_verified",
    "version_updated",
)


def one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_allowed")
