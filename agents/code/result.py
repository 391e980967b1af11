"""What a code agent hands back, whichever agent it was."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.schemas import SuggestionSpec


@dataclass
class AgentResult:
    status: str  # "completed" | "failed"
    summary: str
    error_message: str | None = None
    code_changes: list[dict[str, str]] = field(default_factory=list)  # [{"file", "changes"}]
    trajectory: dict[str, Any] = field(default_factory=dict)
    recipe: str | None = None  # the recipe whose goal checks apply, when known
    tokens: int = 0
    cost_usd: float = 0.0
    model_latency_ms: float = 0.0
    loop_overhead_ms: list[float] = field(default_factory=list)  # per step, model time excluded

    @property
    def files_modified(self) -> list[str]:
        return [c["file"] for c in self.code_changes]


def implementation_prompt(suggestion: SuggestionSpec) -> str:
    """The task as a code agent is given it (also stored with the run)."""
    lines = [f"Implement this UX change in the web app in the current directory: {suggestion.title}"]
    if suggestion.rationale:
        lines.append(f"Why: {suggestion.rationale}")
    if suggestion.addresses_issues:
        lines.append("It should fix: " + "; ".join(suggestion.addresses_issues))
    # The tests are judged as the base commit has them: a change that touches them fails the run.
    lines.append("Keep the app's existing tests passing and leave the test files as they are. "
                 "Change as little as needed. Submit when done.")
    return "\n".join(lines)
