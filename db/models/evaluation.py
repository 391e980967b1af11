"""Human evaluation, generalised from an A/B of two models to N arms (an experiment's variants)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, CreatedAt, Timestamps
from db.models.enums import PLAYGROUND_TYPE, QUESTION_TYPE, one_of
from ids import new_id


class Playground(Timestamps, Base):
    __tablename__ = "playgrounds"
    __table_args__ = (one_of("type", PLAYGROUND_TYPE),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("playground"))
    experiment_id: Mapped[str | None] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(16), default="ab_testing")
    description: Mapped[str | None]
    support_text: Mapped[str | None]  # HTML allowed (rendered sanitised)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    restricted_emails: Mapped[list[str] | None]  # NULL = public to every signed-in tester


class Arm(CreatedAt, Base):
    """One arm of a playground: an experiment's variant."""

    __tablename__ = "arms"
    __table_args__ = (UniqueConstraint("playground_id", "model_key"), CheckConstraint("max_evaluations >= 0", name="cap_nonneg"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("arm"))
    playground_id: Mapped[str] = mapped_column(ForeignKey("playgrounds.id", ondelete="CASCADE"), index=True)
    model_key: Mapped[str] = mapped_column(String(50))
    model_name: Mapped[str | None] = mapped_column(String(255))
    variant_id: Mapped[str | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    embed_code: Mapped[str | None]  # the variant's preview URL (the seed embeds a widget script)
    max_evaluations: Mapped[int] = mapped_column(Integer)


class EvaluationCounter(Timestamps, Base):
    """Separate row per arm so a cap is enforced by one conditional UPDATE."""

    __tablename__ = "evaluation_counters"
    __table_args__ = (
        UniqueConstraint("playground_id", "model_key"),
        CheckConstraint("current_count >= 0", name="count_nonneg"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("counter"))
    playground_id: Mapped[str] = mapped_column(ForeignKey("playgrounds.id", ondelete="CASCADE"), index=True)
    model_key: Mapped[str] = mapped_column(String(50))
    current_count: Mapped[int] = mapped_column(Integer, default=0)


class Question(CreatedAt, Base):
    __tablename__ = "questions"
    __table_args__ = (
        one_of("question_type", QUESTION_TYPE),
        Index("ix_questions_playground_order", "playground_id", "order_index"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("question"))
    playground_id: Mapped[str] = mapped_column(ForeignKey("playgrounds.id", ondelete="CASCADE"), index=True)
    model_key: Mapped[str | None] = mapped_column(String(50), index=True)  # NULL: asked for every arm
    question_text: Mapped[str]
    question_type: Mapped[str] = mapped_column(String(16))
    options: Mapped[list[dict[str, Any]] | None]  # [{"label", "value"}] for select
    order_index: Mapped[int] = mapped_column(Integer, default=0)
    required: Mapped[bool] = mapped_column(Boolean, default=True)


class Evaluation(CreatedAt, Base):
    __tablename__ = "evaluations"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
        Index("ix_evaluations_created_at", "created_at"),
        Index("ix_evaluations_playground_key", "playground_id", "model_key"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("evaluation"))
    playground_id: Mapped[str] = mapped_column(ForeignKey("playgrounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    model_key: Mapped[str] = mapped_column(String(50), index=True)
    question_id: Mapped[str | None] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    answer_text: Mapped[str | None]
    answer_value: Mapped[str | None] = mapped_column(String(255))
    rating: Mapped[int | None] = mapped_column(Integer)
    session_id: Mapped[str] = mapped_column(String(32), index=True)  # groups one tester's answers for one arm
