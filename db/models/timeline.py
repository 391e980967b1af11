"""Timeline messages and feedback items of an experiment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, CreatedAt
from db.models.enums import AUTHOR_TYPE, EVENT_STATUS, EVENT_TYPES, one_of
from ids import new_id


class TimelineEvent(CreatedAt, Base):
    __tablename__ = "timeline_events"
    __table_args__ = (
        one_of("type", EVENT_TYPES),
        one_of("author_type", AUTHOR_TYPE),
        one_of("status", EVENT_STATUS),
        CheckConstraint("progress IS NULL OR (progress BETWEEN 0 AND 100)", name="progress_range"),
        Index("ix_timeline_events_experiment_created", "experiment_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("timeline_event"))
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32), index=True)
    stage: Mapped[str | None] = mapped_column(String(32))  # which pipeline stage wrote it, if any
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_type: Mapped[str] = mapped_column(String(16), default="system")
    title: Mapped[str | None]
    content: Mapped[str | None]
    data: Mapped[dict[str, Any] | None]
    attachments: Mapped[list[str]] = mapped_column(default=list)
    test_session_id: Mapped[str | None] = mapped_column(ForeignKey("test_sessions.id", ondelete="SET NULL"), index=True)
    feedback_id: Mapped[str | None] = mapped_column(ForeignKey("feedback_items.id", ondelete="SET NULL"))
    run_id: Mapped[str | None] = mapped_column(ForeignKey("solve_runs.id", ondelete="SET NULL"))
    status: Mapped[str | None] = mapped_column(String(16))
    progress: Mapped[int | None] = mapped_column(Integer)


class FeedbackItem(CreatedAt, Base):
    """Feedback on a variant that goes back to the code agent as a refinement run."""

    __tablename__ = "feedback_items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("feedback"))
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    # SET NULL: re-materialising the variants must not lose the feedback that asked for a refinement
    # (data.variant_key keeps which variant it was about).
    variant_id: Mapped[str | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    content: Mapped[str]
    data: Mapped[dict[str, Any] | None]
    sent_to_agent_at: Mapped[dt.datetime | None]
    run_id: Mapped[str | None] = mapped_column(ForeignKey("solve_runs.id", ondelete="SET NULL"))
