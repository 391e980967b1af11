"""What a solve reports while its runs work: a run started, moved to a phase, passed a checkpoint,
was retried, completed or failed. The stage records each as a timeline event."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class EventStatus(StrEnum):
    """Where the run an event is about stands (the timeline's event status)."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"


class EventKind(StrEnum):
    RUN_STARTED = "run_started"
    PHASE_UPDATE = "phase_update"
    CHECKPOINT = "checkpoint"
    RUN_RETRY = "run_retry"
    RUN_COMPLETED = "run_completed"
    RUN_FAILED = "run_failed"

    @property
    def status(self) -> EventStatus:
        if self is EventKind.RUN_COMPLETED:
            return EventStatus.COMPLETED
        if self is EventKind.RUN_FAILED:
            return EventStatus.FAILED
        return EventStatus.IN_PROGRESS  # a run that started, moved on or is retried is still under way

    @property
    def title(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class SolveEvent:
    kind: EventKind
    data: dict[str, Any]  # what the event says, as the run reported it (index, phase, error, ...)

    @property
    def status(self) -> EventStatus:
        return self.kind.status

    @property
    def run_index(self) -> int | None:
        """The run it is about (its index in the solve's runs), None for the solve's own (the baseline)."""
        index = self.data.get("run_index")
        return index if isinstance(index, int) else None
