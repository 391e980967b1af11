"""Solves, solve runs and the ai_models registry.

A code agent, a solve run and a Claude execution are one thing here: one code-agent attempt at
one suggestion in one sandbox (table solve_runs, ids `ca_`; docs/data-model.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Timestamps
from db.models.enums import EXECUTION_PHASE, SOLVE_RUN_STATUS, SOLVE_STATUS, one_of
from ids import new_id


class AIModel(Timestamps, Base):
    __tablename__ = "ai_models"
    __table_args__ = (UniqueConstraint("provider", "model_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255))
    provider: Mapped[str] = mapped_column(String(100), index=True)
    model_id: Mapped[str] = mapped_column(String(255))
    config: Mapped[dict[str, Any] | None]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)


class Solve(Timestamps, Base):
    __tablename__ = "solves"
    __table_args__ = (one_of("status", SOLVE_STATUS), Index("ix_solves_created_at", "created_at"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("solve"))
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    suggestion_id: Mapped[str] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    repo_url: Mapped[str] = mapped_column(String(1000))
    base_branch: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    agent: Mapped[str] = mapped_column(String(16), default="recipe")
    matrix: Mapped[dict[str, Any]]  # {"experiments": [{run_id, model, temperature, mode}]}
    limits: Mapped[dict[str, Any] | None]
    requested_by: Mapped[str | None] = mapped_column(String(255))
    champion_run_id: Mapped[str | None] = mapped_column(
        ForeignKey("solve_runs.id", ondelete="SET NULL", use_alter=True)
    )
    champion_reason: Mapped[str | None]
    max_parallel: Mapped[int | None] = mapped_column(Integer)
    time_budget_s: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None]
    started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]


class SolveRun(Timestamps, Base):
    __tablename__ = "solve_runs"
    __table_args__ = (
        one_of("status", SOLVE_RUN_STATUS),
        one_of("phase", EXECUTION_PHASE),
        Index("ix_solve_runs_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("solve_run"))
    solve_id: Mapped[str] = mapped_column(ForeignKey("solves.id", ondelete="CASCADE"), index=True)
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[str | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    ai_model_id: Mapped[int | None] = mapped_column(ForeignKey("ai_models.id", ondelete="SET NULL"))
    parent_run_id: Mapped[str | None] = mapped_column(ForeignKey("solve_runs.id", ondelete="SET NULL"))
    # run configuration
    model: Mapped[str] = mapped_column(String(255))
    temperature: Mapped[float] = mapped_column(Float)
    max_edits: Mapped[int] = mapped_column(Integer)
    evolution: Mapped[str] = mapped_column(String(255))  # strategy: baseline | alternative | minimal | feedback_refined
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    # execution progress
    phase: Mapped[str | None] = mapped_column(String(16), index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    phases: Mapped[dict[str, Any] | None]
    checkpoints: Mapped[list[dict[str, Any]] | None]
    retry_count: Mapped[int] = mapped_column(Integer, default=0)
    max_retries: Mapped[int] = mapped_column(Integer, default=0)
    retry_reason: Mapped[str | None]
    # inputs
    suggestion: Mapped[str]
    implementation_prompt: Mapped[str]
    agent_session_id: Mapped[str | None] = mapped_column(String(255))  # the agent's own session id, when it has one
    prompt_file: Mapped[str | None] = mapped_column(String(1000))
    # results
    sandbox_id: Mapped[str | None] = mapped_column(String(255))
    pr_url: Mapped[str | None] = mapped_column(String(1000))
    commit_hash: Mapped[str | None] = mapped_column(String(64))
    commit_message: Mapped[str | None]
    tests_passed: Mapped[bool | None] = mapped_column(Boolean)
    goal_checks_passed: Mapped[bool | None] = mapped_column(Boolean)
    loc_changed: Mapped[int | None] = mapped_column(Integer)
    files_changed: Mapped[int | None] = mapped_column(Integer)
    files_modified: Mapped[list[str]] = mapped_column(default=list)
    code_changes: Mapped[list[dict[str, Any]]] = mapped_column(default=list)  # [{file, changes}]
    diff: Mapped[str | None]
    implementation_summary: Mapped[str | None]
    tokens: Mapped[int | None] = mapped_column(Integer)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    logs: Mapped[str | None]
    logs_url: Mapped[str | None] = mapped_column(String(1000))
    diagnostics: Mapped[dict[str, Any] | None]
    trajectory_data: Mapped[dict[str, Any] | None]
    error_message: Mapped[str | None]
    errored_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
