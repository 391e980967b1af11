"""The sandbox contract: run untrusted code of a target repo, isolated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Self, runtime_checkable


class SandboxError(RuntimeError):
    """A sandbox could not be created or used (not: a command exiting non-zero)."""


class IsolationUnavailable(SandboxError):
    """Isolation (bubblewrap) cannot run here and unisolated mode was not allowed."""


class PathEscape(SandboxError):
    """A file path given to the file API points outside the workdir."""


class SandboxAuthError(SandboxError):
    """The sandbox provider rejected our credentials."""


class SandboxNotFound(SandboxError):
    """The provider does not know this sandbox (expired or killed)."""


class SandboxRateLimited(SandboxError):
    """The provider is rate limiting us; retry later."""


class SandboxTimeout(SandboxError):
    """The provider did not answer in time."""


@dataclass(frozen=True)
class CommandResult:
    exit_code: int
    stdout: str
    stderr: str
    duration_ms: float
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


@dataclass(frozen=True)
class DiffSummary:
    files_changed: list[str] = field(default_factory=list)
    lines_added: int = 0
    lines_removed: int = 0
    unified_diff: str = ""

    @property
    def loc_changed(self) -> int:
        return self.lines_added + self.lines_removed


@dataclass(frozen=True)
class AppConfig:
    """From the repo's variantlab.toml, or detected."""

    kind: str  # "static" | "node" | "python" | "custom"
    install: str | None = None
    start: str | None = None  # None for static: served as files
    test: str | None = None
    port: int = 8000
    static_root: str = "."


@runtime_checkable
class Sandbox(Protocol):
    id: str
    app: AppConfig

    def run(
        self,
        cmd: list[str] | str,
        *,
        timeout_s: float | None = None,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
    ) -> CommandResult: ...

    def read_file(self, path: str) -> str: ...

    def write_file(self, path: str, content: str) -> None: ...

    def list_files(self, path: str = ".") -> list[str]: ...

    def start_preview(self) -> str:
        """Start the app's preview server; return its URL once it answers."""
        ...

    @property
    def preview_headers(self) -> dict[str, str]:
        """Headers every request to the preview must carry (E2B's private previews need a token)."""
        ...

    def diff(self) -> DiffSummary:
        """The change against the starting ref."""
        ...

    def destroy(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...
