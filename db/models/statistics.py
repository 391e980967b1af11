"""Numbers the metrics stages compute once and the dashboard reads: the sample ratio check, each arm's
own interval per metric, and the Bradley-Terry ranking of a playground's arms (analysis/ computes them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, CreatedAt
from db.models.enums import one_of
from ids import new_id

STATISTICS_SOURCE = ("panel", "human")  # the stage that computed them: variant_metrics | evaluation_metrics


class StatisticsRun(CreatedAt, Base):
    """One stage's computation for one experiment: "panel" (variant_metrics: the sample ratio check) or
    "human" (evaluation_metrics: the ranking of `playground_id`'s arms). Replaced whole on each run."""

    __tablename__ = "statistics_runs"
    __table_args__ = (UniqueConstraint("experiment_id", "source"), one_of("source", STATISTICS_SOURCE))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("statistics_run"))
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    playground_id: Mapped[str | None] = mapped_column(ForeignKey("playgrounds.id", ondelete="CASCADE"))
    srm_p_value: Mapped[float | None] = mapped_column(Float)
    srm_chi2: Mapped[float | None] = mapped_column(Float)
    srm_flagged: Mapped[bool | None] = mapped_column(Boolean)
    srm_observed: Mapped[dict[str, Any] | None]
    srm_error_code: Mapped[str | None] = mapped_column(String(64))
    ranking_comparisons: Mapped[int | None] = mapped_column(Integer)
    ranking_bootstrap: Mapped[int | None] = mapped_column(Integer)
    ranking_error_code: Mapped[str | None] = mapped_column(String(64))

    arm_values: Mapped[list[ArmValue]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    arm_rankings: Mapped[list[ArmRanking]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class ArmValue(Base):
    """One arm's mean of one metric with its 95 % interval (analysis.arm_intervals)."""

    __tablename__ = "arm_values"
    __table_args__ = (UniqueConstraint("run_id", "arm", "metric"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("arm_value"))
    run_id: Mapped[str] = mapped_column(ForeignKey("statistics_runs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the order the stage computed them in (arms as listed)
    arm: Mapped[str] = mapped_column(String(64))
    metric: Mapped[str] = mapped_column(String(255))
    n: Mapped[int] = mapped_column(Integer)
    mean: Mapped[float] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    error_code: Mapped[str | None] = mapped_column(String(64))


class ArmRanking(Base):
    """One arm's Bradley-Terry strength with its bootstrap interval (analysis.bradley_terry)."""

    __tablename__ = "arm_rankings"
    __table_args__ = (UniqueConstraint("run_id", "arm"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("arm_ranking"))
    run_id: Mapped[str] = mapped_column(ForeignKey("statistics_runs.id", ondelete="CASCADE"), index=True)
    arm: Mapped[str] = mapped_column(String(64))
    strength: Mapped[float] = mapped_column(Float)
    ci_low: Mapped[float] = mapped_column(Float)
    ci_high: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    wins: Mapped[float] = mapped_column(Float)
    comparisons: Mapped[int] = mapped_column(Integer)
