"""Experiments (with their workflow) and variants, suggestions, stage runs, metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, CreatedAt, Timestamps
from db.models.enums import (
    DEPLOY_STATUS,
    EXPERIMENT_STATUS,
    METRIC_TYPE,
    PANEL_STOP_REASON,
    STAGE_STATUS,
    STAGES,
    VARIANT_TYPE,
    WORKFLOW_STATUS,
    one_of,
)
from ids import new_id


class Experiment(Timestamps, Base):
    __tablename__ = "experiments"
    __table_args__ = (
        one_of("status", EXPERIMENT_STATUS),
        one_of("workflow_status", WORKFLOW_STATUS),
        one_of("panel_stop_reason", PANEL_STOP_REASON),
        Index("ix_experiments_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("experiment"))
    name: Mapped[str] = mapped_column(String(255), default="")
    repo_url: Mapped[str]
    base_branch: Mapped[str | None] = mapped_column(String(255))
    goal: Mapped[str]
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    error_message: Mapped[str | None]
    # The suggestions themselves live in the suggestions table, ranked.
    num_suggestions: Mapped[int] = mapped_column(Integer, default=3)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # per-experiment overrides
    # How the app was brought up (detected or from its variantlab.toml), with the evidence for each
    # choice: set when the first stage opens the app, shown in the report and the dashboard.
    bringup_plan: Mapped[dict[str, Any] | None]
    # Lifecycle and approval workflow
    workflow_status: Mapped[str] = mapped_column(String(16), default="proposed")
    version: Mapped[str] = mapped_column(String(32), default="0.0.0")
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    approved_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    implemented_at: Mapped[dt.datetime | None]
    approved_at: Mapped[dt.datetime | None]
    verified_at: Mapped[dt.datetime | None]
    last_tested_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    # The winner named by the metrics stage, and why
    champion_variant_id: Mapped[str | None] = mapped_column(
        ForeignKey("variants.id", ondelete="SET NULL", use_alter=True)
    )
    champion_reason: Mapped[str | None]
    # How the browser_results panel, sent in rounds, ended (analysis/stopping.py): why it stopped, after
    # how many rounds, with how many sessions on each arm (every round is whole, so one number).
    panel_stop_reason: Mapped[str | None] = mapped_column(String(32))
    panel_rounds: Mapped[int | None] = mapped_column(Integer)
    panel_sessions_per_arm: Mapped[int | None] = mapped_column(Integer)

    variants: Mapped[list[Variant]] = relationship(
        back_populates="experiment", cascade="all, delete-orphan", foreign_keys="Variant.experiment_id"
    )


class Suggestion(CreatedAt, Base):
    """One AI-proposed UX change."""

    __tablename__ = "suggestions"
    __table_args__ = (UniqueConstraint("experiment_id", "rank"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("suggestion"))
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    title: Mapped[str]
    rationale: Mapped[str] = mapped_column(default="")
    addresses_issues: Mapped[list[str]] = mapped_column(default=list)
    target_metric: Mapped[str] = mapped_column(String(64), default="task_success")
    recipe: Mapped[str | None] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(64), default="offline")
    model: Mapped[str] = mapped_column(String(255), default="")


class Variant(CreatedAt, Base):
    __tablename__ = "variants"
    __table_args__ = (one_of("type", VARIANT_TYPE), one_of("deploy_status", DEPLOY_STATUS))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("variant"))
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))  # "control", "v1", ... stable within an experiment
    suggestion_id: Mapped[str | None] = mapped_column(ForeignKey("suggestions.id", ondelete="SET NULL"))
    suggestion: Mapped[str | None]  # null for control
    # The sandbox that served the variant's preview last, and where
    sandbox_id: Mapped[str | None] = mapped_column(String(255))
    public_url: Mapped[str | None] = mapped_column(String(1000))
    analysis: Mapped[dict[str, Any] | None]  # {success, summary, insights, issues}
    source_run_id: Mapped[str | None] = mapped_column(
        ForeignKey("solve_runs.id", ondelete="SET NULL", use_alter=True)
    )
    patch: Mapped[str | None]  # the champion's unified diff against the base ref; null for control
    # Deploy tracking, on the thing that is deployed
    deploy_status: Mapped[str] = mapped_column(String(16), default="queued")
    deploy_started_at: Mapped[dt.datetime | None]
    deploy_completed_at: Mapped[dt.datetime | None]
    deploy_logs: Mapped[str | None]

    experiment: Mapped[Experiment] = relationship(back_populates="variants", foreign_keys=[experiment_id])


class StageRun(Base):
    """One materialisation of one stage for one experiment: progress and errors for the dashboard."""

    __tablename__ = "stage_runs"
    __table_args__ = (one_of("status", STAGE_STATUS), one_of("stage", STAGES))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("stage_run"))
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="running")
    dagster_run_id: Mapped[str | None] = mapped_column(String(64))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error_message: Mapped[str | None]
    started_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]


class VariantMetric(CreatedAt, Base):
    """Per-variant metric and its comparison with the control (the variant_metrics stage)."""

    __tablename__ = "variant_metrics"
    __table_args__ = (UniqueConstraint("variant_id", "metric", "source"), one_of("type", METRIC_TYPE))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("metric"))
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="panel")  # panel | human
    metric: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    is_guardrail: Mapped[bool] = mapped_column(Boolean, default=False)
    n: Mapped[int] = mapped_column(Integer)
    sum: Mapped[float] = mapped_column(Float)
    sum_squares: Mapped[float] = mapped_column(Float)
    mean: Mapped[float | None] = mapped_column(Float)
    effect_abs: Mapped[float | None] = mapped_column(Float)
    effect_rel: Mapped[float | None] = mapped_column(Float)
    # Two intervals, each beside the p-value it inverts, so a reader never pairs an interval with a test
    # it disagrees with. ci_low/ci_high are the *relative* interval (of effect_rel, a fraction of the
    # control's mean) and p_value_rel its test; ci_abs_low/ci_abs_high are the *absolute* interval (of
    # effect_abs, in the metric's units: a proportion for binomial metrics) and p_value its test. The
    # decision (p_value_adjusted, significant) is made on p_value, so the absolute interval goes with it.
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    ci_abs_low: Mapped[float | None] = mapped_column(Float)
    ci_abs_high: Mapped[float | None] = mapped_column(Float)
    p_value: Mapped[float | None] = mapped_column(Float)
    p_value_rel: Mapped[float | None] = mapped_column(Float)
    p_value_adjusted: Mapped[float | None] = mapped_column(Float)
    chance_to_win: Mapped[float | None] = mapped_column(Float)
    risk: Mapped[float | None] = mapped_column(Float)
    significant: Mapped[bool | None] = mapped_column(Boolean)
    guardrail_status: Mapped[str | None] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(64))
