"""How many variants were built, and why the others were not: one account for the CLI, the report,
the dashboard and Dagster's metadata, so none of them can say "keeping the baseline" while hiding
that nothing was built to compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Solve, Suggestion, Variant

_REASON_CHARS = 160


@dataclass(frozen=True)
class NotBuilt:
    suggestion: str
    reason: str


@dataclass(frozen=True)
class BuildSummary:
    """Suggestions made, variants built from them, and variants deployed for the panel."""

    suggestions: int
    built: int
    deployed: int | None = None  # None: the panel has not tried to deploy them yet
    not_built: tuple[NotBuilt, ...] = field(default_factory=tuple)
    not_deployed: tuple[NotBuilt, ...] = field(default_factory=tuple)

    @property
    def comparable(self) -> int:
        """Variants the panel could measure against the control."""
        return self.built if self.deployed is None else self.deployed

    def line(self) -> str:
        """One sentence: "1 of 3 variants built: 'Add search' — no listing found; …"."""
        if not self.suggestions:
            return "no suggestions were made, so no variant was built"
        text = f"{self.built} of {self.suggestions} variant{'s' if self.suggestions != 1 else ''} built"
        if self.not_built:
            text += ": " + "; ".join(f"'{n.suggestion}' — {n.reason}" for n in self.not_built)
        if self.not_deployed:
            text += f"; {len(self.not_deployed)} failed to deploy: " + "; ".join(
                f"'{n.suggestion}' — {n.reason}" for n in self.not_deployed)
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "suggestions": self.suggestions, "built": self.built, "deployed": self.deployed,
            "not_built": [{"suggestion": n.suggestion, "reason": n.reason} for n in self.not_built],
            "not_deployed": [{"suggestion": n.suggestion, "reason": n.reason} for n in self.not_deployed],
            "summary": self.line(),
        }


def _short(text: str | None) -> str:
    first = (text or "no reason recorded").strip().splitlines()[0] if (text or "").strip() else "no reason recorded"
    return first if len(first) <= _REASON_CHARS else first[: _REASON_CHARS - 1] + "…"


def build_summary(session: Session, experiment_id: str) -> BuildSummary:
    suggestions = session.scalars(select(Suggestion).where(Suggestion.experiment_id == experiment_id)
                                  .order_by(Suggestion.rank)).all()
    solves = {s.suggestion_id: s for s in session.scalars(select(Solve).where(Solve.experiment_id == experiment_id))}
    variants = {v.suggestion_id: v for v in session.scalars(select(Variant).where(
        Variant.experiment_id == experiment_id, Variant.type == "experiment"))}
    not_built, not_deployed = [], []
    tried_deploy = False
    for suggestion in suggestions:
        variant = variants.get(suggestion.id)
        if variant is None:
            solve = solves.get(suggestion.id)
            reason = "not attempted yet" if solve is None else (solve.error_message or solve.champion_reason)
            not_built.append(NotBuilt(suggestion.title, _short(reason)))
            continue
        if variant.deploy_status in ("ready", "error"):
            tried_deploy = True
        if variant.deploy_status == "error":
            not_deployed.append(NotBuilt(suggestion.title, _short(variant.deploy_logs)))
    built = len(suggestions) - len(not_built)
    return BuildSummary(
        suggestions=len(suggestions), built=built,
        deployed=built - len(not_deployed) if tried_deploy else None,
        not_built=tuple(not_built), not_deployed=tuple(not_deployed),
    )
