"""Test sessions, flows, execution logs, system stats, and the browser sessions of the panels.

A browser agent's task (one browser-use task on one variant) and a browser session (one browser
instance running a flow) are the same thing here: one simulated user's session (docs/data-model.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, CreatedAt, utcnow
from db.models.enums import (
    BROWSER_AGENT_KIND,
    BROWSER_SESSION_STATUS,
    FAILURE_CAUSE,
    FLOW_STATUS,
    LOG_LEVEL,
    TEST_SESSION_STATUS,
    one_of,
)
from db.stage_names import Stage
from ids import new_id


class TestSession(CreatedAt, Base):
    __tablename__ = "test_sessions"
    __test__ = False  # not a pytest test class, despite the seed's name
    __table_args__ = (one_of("status", TEST_SESSION_STATUS),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("test_session"))
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    prompt: Mapped[str]  # the goal the flows were generated from
    status: Mapped[str] = mapped_column(String(16), default="pending")
    provider: Mapped[str] = mapped_column(String(64), default="offline")
    started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    total_flows: Mapped[int] = mapped_column(Integer, default=0)
    completed_flows: Mapped[int] = mapped_column(Integer, default=0)
    estimated_duration_s: Mapped[float | None] = mapped_column(Float)
    actual_duration_s: Mapped[float | None] = mapped_column(Float)
    error_message: Mapped[str | None]


class TestFlow(CreatedAt, Base):
    __tablename__ = "test_flows"
    __test__ = False
    __table_args__ = (one_of("status", FLOW_STATUS),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("test_flow"))
    session_id: Mapped[str] = mapped_column(ForeignKey("test_sessions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str]
    instructions: Mapped[str]
    approved: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    order: Mapped[int] = mapped_column(Integer)
    task: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the checkable TaskSpec


class BrowserSession(CreatedAt, Base):
    __tablename__ = "browser_sessions"
    __table_args__ = (
        one_of("status", BROWSER_SESSION_STATUS),
        one_of("agent_kind", BROWSER_AGENT_KIND),
        one_of("failure_cause", FAILURE_CAUSE),
        Index("ix_browser_sessions_variant_flow", "variant_id", "flow_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("browser_session"))
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    test_session_id: Mapped[str | None] = mapped_column(ForeignKey("test_sessions.id", ondelete="CASCADE"))
    flow_id: Mapped[str | None] = mapped_column(ForeignKey("test_flows.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(32), default=Stage.BROWSER_RESULTS.value)  # or control_analysis
    agent_kind: Mapped[str] = mapped_column(String(16), default="simulated")
    browser_task_id: Mapped[str] = mapped_column(String(255))
    browser_live_url: Mapped[str | None] = mapped_column(String(1000))
    browser_type: Mapped[str] = mapped_column(String(32), default="chromium")
    task_prompt: Mapped[str]
    persona: Mapped[str] = mapped_column(String(64), default="")
    seed: Mapped[int] = mapped_column(Integer, default=0)
    panel_order: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    result: Mapped[dict[str, Any] | None]  # {success, summary, insights, issues}
    raw_logs: Mapped[str | None]
    success: Mapped[bool | None] = mapped_column(Boolean)
    self_reported_success: Mapped[bool | None] = mapped_column(Boolean)
    # whose failure an unsuccessful session was: the user's at the task, or the site's
    failure_cause: Mapped[str] = mapped_column(String(16), default="none", server_default="none")
    n_actions: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    pages_visited: Mapped[int] = mapped_column(Integer, default=0)
    backtracks: Mapped[int] = mapped_column(Integer, default=0)
    dead_ends: Mapped[int] = mapped_column(Integer, default=0)
    console_errors: Mapped[int] = mapped_column(Integer, default=0)
    failed_requests: Mapped[int] = mapped_column(Integer, default=0)
    broken_links: Mapped[int] = mapped_column(Integer, default=0)
    broken_images: Mapped[int] = mapped_column(Integer, default=0)
    a11y_violations: Mapped[int] = mapped_column(Integer, default=0)
    # the first page, from navigation to ready (network quiet, DOM still, nothing loading)
    time_to_ready_ms: Mapped[float | None] = mapped_column(Float)
    lcp_ms: Mapped[float | None] = mapped_column(Float)
    cls: Mapped[float | None] = mapped_column(Float)
    action_log: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    screenshots: Mapped[list[str]] = mapped_column(default=list)  # paths under the artifacts dir
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # console/request/link/a11y specifics
    error_message: Mapped[str | None]
    started_at: Mapped[dt.datetime | None]
    last_activity_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]


class ExecutionLog(Base):
    __tablename__ = "execution_logs"
    __table_args__ = (one_of("level", LOG_LEVEL), Index("ix_execution_logs_experiment_ts", "experiment_id", "timestamp"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("execution_log"))
    experiment_id: Mapped[str | None] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))
    test_session_id: Mapped[str | None] = mapped_column(
        ForeignKey("test_sessions.id", ondelete="CASCADE"), index=True
    )
    flow_id: Mapped[str | None] = mapped_column(ForeignKey("test_flows.id", ondelete="CASCADE"))
    browser_session_id: Mapped[str | None] = mapped_column(ForeignKey("browser_sessions.id", ondelete="CASCADE"))
    stage: Mapped[str | None] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16), default="info")
    message: Mapped[str]
    timestamp: Mapped[dt.datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any] | None]


class SystemStat(Base):
    __tablename__ = "system_stats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    timestamp: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    active_sessions: Mapped[int] = mapped_column(Integer, default=0)
    active_browsers: Mapped[int] = mapped_column(Integer, default=0)
    total_flows_executed: Mapped[int] = mapped_column(Integer, default=0)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)  # peak RSS, sessions/s, ...
