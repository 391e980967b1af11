"""What one simulated-user session produced, and the log records a panel streams while it runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class LogRecord(BaseModel):
    level: Literal["info", "warning", "error", "debug"]
    message: str
    variant_key: str | None = None
    flow_name: str | None = None
    session_index: int | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class SessionResult(BaseModel):
    """Seed 004 browser session: one persona attempting one flow's task on one variant."""

    variant_key: str
    flow_name: str
    flow_order: int
    persona: str
    seed: int
    task_prompt: str
    success: bool  # our programmatic check of the task, never the agent's own claim
    self_reported_success: bool | None = None  # browser-use only: what the agent said
    n_actions: int = 0
    duration_ms: float = 0.0
    pages_visited: list[str] = Field(default_factory=list)
    backtracks: int = 0
    dead_ends: int = 0
    action_log: list[dict[str, Any]] = Field(default_factory=list)
    screenshots: list[str] = Field(default_factory=list)
    console_errors: list[str] = Field(default_factory=list)
    failed_requests: list[str] = Field(default_factory=list)
    broken_links: list[str] = Field(default_factory=list)
    broken_images: list[str] = Field(default_factory=list)
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
