"""The trajectory a code agent leaves behind (solve_runs.trajectory_data), recorded as it works."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agents.code.site import Workspace


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class Trajectory:
    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []
        self.exit_status = "running"

    def record(self, action: str, file: str | None = None, **extra: Any) -> None:
        self.steps.append({"action": action, "file": file, "timestamp": now_iso(), **extra})

    def as_dict(self) -> dict[str, Any]:
        return {"exit_status": self.exit_status, "total_steps": len(self.steps), "steps": list(self.steps)}


class RecordingWorkspace:
    """Wraps a workspace so every file the agent touches lands in its trajectory."""

    def __init__(self, inner: Workspace, trajectory: Trajectory) -> None:
        self.inner = inner
        self.trajectory = trajectory
        self._read: set[str] = set()

    def list_files(self, path: str = ".") -> list[str]:
        self.trajectory.record("list_files", path)
        return self.inner.list_files(path)

    def read_file(self, path: str) -> str:
        self.trajectory.record("read_file", path)
        content = self.inner.read_file(path)
        self._read.add(path)
        return content

    def read_bytes(self, path: str) -> bytes:
        from agents.code.source import read_bytes

        self.trajectory.record("read_file", path)
        content = read_bytes(self.inner, path)
        self._read.add(path)
        return content

    def write_bytes(self, path: str, data: bytes) -> None:
        from agents.code.source import write_bytes

        self.trajectory.record("edit_file" if path in self._read else "write_file", path)
        write_bytes(self.inner, path, data, data.decode("utf-8", errors="replace"))

    def write_file(self, path: str, content: str) -> None:
        # A file read before is being edited; anything else is a new file.
        self.trajectory.record("edit_file" if path in self._read else "write_file", path)
        self.inner.write_file(path, content)
