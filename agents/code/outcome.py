"""The value types a solve produces: a solve, its runs, and the champion run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from agents.code.solve_events import SolveEvent
from agents.llm.base import ModelSpec
from agents.schemas import SuggestionSpec


@dataclass(frozen=True)
class RunConfig:
    model: ModelSpec
    temperature: float
    strategy: str = "baseline"  # "baseline" | "feedback_refined" | anything an agent understands
    max_edits: int = 20


@dataclass
class RunOutcome:
    index: int
    config: RunConfig
    status: str = "failed"  # "completed" | "failed" | "cancelled"
    error_message: str | None = None
    tests_passed: bool | None = None  # None: no test command, or the tests could not be run or judged
    no_tests: bool = False  # the app has no test command: no baseline to keep (champion.py)
    goal_checks_passed: bool | None = None  # None: no programmatic check for this change
    goal_checks: list[dict[str, Any]] = field(default_factory=list)
    loc_changed: int = 0
    files_changed: int = 0
    files_modified: list[str] = field(default_factory=list)
    code_changes: list[dict[str, str]] = field(default_factory=list)
    diff: str = ""
    summary: str = ""
    implementation_prompt: str = ""
    diagnostics: dict[str, Any] = field(default_factory=dict)
    trajectory: dict[str, Any] = field(default_factory=dict)
    tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    sandbox_id: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    phases: dict[str, dict[str, str | None]] = field(default_factory=dict)
    retry_of: int | None = None  # index of the run this one retries
    duplicate_of: int | None = None  # index of an earlier completed run that built the identical diff

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SolveOutcome:
    """A solve, whole, as the stage persists it: the suggestion and the matrix it was given, every run
    (retries after the matrix), the champion, what it reported on the way and how long it took."""

    runs: list[RunOutcome]
    champion_index: int | None
    champion_reason: str
    suggestion: SuggestionSpec
    matrix: list[RunConfig]  # as given: a retry is in `runs`, not here
    events: list[SolveEvent] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def champion(self) -> RunOutcome | None:
        return None if self.champion_index is None else self.runs[self.champion_index]

    def as_dict(self) -> dict[str, Any]:
        return {"runs": [r.as_dict() for r in self.runs], "champion_index": self.champion_index,
                "champion_reason": self.champion_reason}
