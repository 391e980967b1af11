"""The ai_models registry: which models the solve matrix and the LLM tasks may use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AIModel

# Registered on first use so a fresh install has a working matrix on the offline defaults.
DEFAULT_MODELS = [
    {"name": "Offline recipe agent", "provider": "offline", "model_id": "offline-recipe",
     "config": {"note": "deterministic recipes for static sites; no LLM"}},
    {"name": "Offline heuristics", "provider": "offline", "model_id": "offline-heuristics",
     "config": {"note": "deterministic flows and suggestions; no LLM"}},
    {"name": "Claude Sonnet 4.6", "provider": "anthropic", "model_id": "claude-sonnet-4-6",
     "config": {"max_tokens": 4096}, "is_active": False},
]


def ensure_default_models(session: Session) -> None:
    existing = {(m.provider, m.model_id) for m in session.scalars(select(AIModel))}
    for spec in DEFAULT_MODELS:
        if (spec["provider"], spec["model_id"]) not in existing:
            session.add(AIModel(**spec))
    session.flush()


def active_models(session: Session, model_ids: list[str]) -> list[AIModel]:
    """The active registry rows for these model ids, in the order asked; unknown ids are an error."""
    ensure_default_models(session)
    rows = {m.model_id: m for m in session.scalars(select(AIModel).where(AIModel.is_active.is_(True)))}
    missing = [m for m in model_ids if m not in rows]
    if missing:
        raise LookupError(f"models not in the active ai_models registry: {', '.join(missing)}")
    return [rows[m] for m in model_ids]
