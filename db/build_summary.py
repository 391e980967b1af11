"""How many variants were built, and why the others were not: one account for the CLI, the report,
the dashboard and Dagster's metadata, so none of them can say "keeping the baseline" while hiding
that nothing was built to compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Solve, SolveRun, Suggestion, Variant

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
    # Built variants whose champion was chosen on its behavioural checks alone: the app has no tests.
    without_tests: tuple[str, ...] = field(default_factory=tuple)

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
        if self.without_tests:
            n = len(self.without_tests)
            which = ("it was" if n == 1 else "all were") if n == self.built else f"{n} {'was' if n == 1 else 'were'}"
            text += f"; the app has no tests, so {which} chosen on behavioural checks alone"
        if self.not_deployed:
            text += f"; {len(self.not_deployed)} failed to deploy: " + "; ".join(
                f"'{n.suggestion}' — {n.reason}" for n in self.not_deployed)
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "suggestions": self.suggestions, "built": self.built, "deployed": self.deployed,
            "not_built": [{"suggestion": n.suggestion, "reason": n.reason} for n in self.not_built],
            "not_deployed": [{"suggestion": n.suggestion, "reason": n.reason} for n in self.not_deployed],
            "without_tests": list(self.without_tests),
            "summary": self.line(),
        }


def _short(text: str | None) -> str:
    """The reason's first line, cut where a clause or word ends (never inside a path or a word)."""
    first = (text or "no reason recorded").strip().splitlines()[0] if (text or "").strip() else "no reason recorded"
    if len(first) <= _REASON_CHARS:
        return first
    cut = first[: _REASON_CHARS - 1]
    for mark in ("; ", ": ", ", ", " "):
        at = cut.rfind(mark)
        if at > _REASON_CHARS // 2:
            return cut[:at].rstrip(" ,;:") + "…"
    return cut + "…"


def build_summary(session: Session, experiment_id: str) -> BuildSummary:
    suggestions = session.scalars(select(Suggestion).where(Suggestion.experiment_id == experiment_id)
                                  .order_by(Suggestion.rank)).all()
    solves = {s.suggestion_id: s for s in session.scalars(select(Solve).where(Solve.experiment_id == experiment_id))}
    variants = {v.suggestion_id: v for v in session.scalars(select(Variant).where(
        Variant.experiment_id == experiment_id, Variant.type == "experiment"))}
    champions = [s.champion_run_id for s in solves.values() if s.champion_run_id]
    untested = {r.id for r in session.scalars(select(SolveRun).where(SolveRun.id.in_(champions)))
                if (r.diagnostics or {}).get("no_tests")} if champions else set()
    not_built, not_deployed, without_tests = [], [], []
    tried_deploy = False
    for suggestion in suggestions:
        variant, solve = variants.get(suggestion.id), solves.get(suggestion.id)
        if variant is None:
            reason = "not attempted yet" if solve is None else (solve.error_message or solve.champion_reason)
            not_built.append(NotBuilt(suggestion.title, _short(reason)))
            continue
        if solve is not None and solve.champion_run_id in untested:
            without_tests.append(suggestion.title)
        if variant.deploy_status in ("ready", "error"):
            tried_deploy = True
        if variant.deploy_status == "error":
            not_deployed.append(NotBuilt(suggestion.title, _short(variant.deploy_logs)))
    built = len(suggestions) - len(not_built)
    return BuildSummary(
        suggestions=len(suggestions), built=built,
        deployed=built - len(not_deployed) if tried_deploy else None,
        not_built=tuple(not_built), not_deployed=tuple(not_deployed), without_tests=tuple(without_tests),
    )
