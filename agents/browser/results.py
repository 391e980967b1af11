"""What one simulated-user session produced, and the log records a panel streams while it runs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import BaseModel, Field, model_validator

from ids import new_id


class FailureCause(StrEnum):
    """Whose failure an unsuccessful session was: the user's at the task, or the site's."""

    NONE = "none"  # the task succeeded
    USER = "user"  # the user got a working page and did not complete the task
    # a page never became ready within the bound (agents/browser/readiness.py)
    SITE_NOT_READY = "site_not_ready"
    SITE_ERROR = "site_error"  # the site broke: its first page answered 5xx, or it stopped answering


class LogRecord(BaseModel):
    level: Literal["info", "warning", "error", "debug"]
    message: str
    variant_key: str | None = None
    flow_name: str | None = None
    session_index: int | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class SessionResult(BaseModel):
    """A browser session: one persona attempting one flow's task on one variant."""

    # The browser session row's id, known before the row exists: the session's screenshots are filed by it.
    id: str = Field(default_factory=lambda: new_id("browser_session"))
    variant_key: str
    flow_name: str
    flow_order: int
    persona: str
    seed: int
    task_prompt: str
    success: bool  # our programmatic check of the task, never the agent's own claim
    # Unset on a failure means the user's: only a session that saw the site fail says otherwise.
    failure_cause: FailureCause = FailureCause.NONE
    self_reported_success: bool | None = None  # browser-use only: what the agent said
    n_actions: int = 0
    duration_ms: float = 0.0
    pages_visited: list[str] = Field(default_factory=list)
    backtracks: int = 0
    dead_ends: int = 0
    # Steps {type, target, url, t_ms, ready_ms?, shot?}: "start" (the first page) ... "end"; `shot` is a
    # thumbnail's path relative to settings.artifacts_dir (agents/browser/shots.py).
    action_log: list[dict[str, Any]] = Field(default_factory=list)
    screenshots: list[str] = Field(default_factory=list)  # every step's shot, in order
    console_errors: list[str] = Field(default_factory=list)
    failed_requests: list[str] = Field(default_factory=list)
    broken_links: list[str] = Field(default_factory=list)
    broken_images: list[str] = Field(default_factory=list)
    # How long the first page took from navigation to ready; when it never became ready, how long the
    # user waited for it (the bound). None when no page was opened (browser-use sessions).
    time_to_ready_ms: float | None = None
    lcp_ms: float | None = None
    cls: float | None = None
    a11y_violations: int = 0
    a11y_details: list[dict[str, Any]] = Field(default_factory=list)
    summary: str = ""
    insights: list[str] = Field(default_factory=list)
    issues: list[str] = Field(default_factory=list)
    raw_logs: str = ""
    error: str | None = None
    started_at: datetime
    completed_at: datetime

    @model_validator(mode="after")
    def _cause_matches_success(self) -> Self:
        if self.success and self.failure_cause is not FailureCause.NONE:
            raise ValueError(f"a successful session has no failure cause, got {self.failure_cause}")
        if not self.success and self.failure_cause is FailureCause.NONE:
            self.failure_cause = FailureCause.USER
        return self

    @property
    def site_failed(self) -> bool:
        return self.failure_cause in (FailureCause.SITE_NOT_READY, FailureCause.SITE_ERROR)
