"""The sandbox contract: run untrusted code of a target repo, isolated."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
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


class AppKind(StrEnum):
    STATIC = "static"      # files served as they are (index.html at the root or in public/, dist/, ...)
    NODE = "node"          # package.json: npm / pnpm / yarn
    PYTHON = "python"      # requirements.txt, pyproject.toml, setup.py/cfg, Pipfile
    PROCFILE = "procfile"  # a Procfile `web:` line and nothing more specific
    CUSTOM = "custom"      # variantlab.toml says how (start given, no stack detected)


class BringupFailed(SandboxError):
    """The app could not be brought up for a reason of its own or of its configuration (no web app,
    an ambiguous plan, a failing install, build or start). Retrying changes nothing: the message
    says the cause and the variantlab.toml key or setting that fixes it."""


class RepoUnreadable(BringupFailed):
    """A local repository git cannot copy from (missing or corrupt objects): the same each time."""


class NotAWebApp(BringupFailed):
    """The repository holds nothing that can be served (no page, no server): bring-up fails here."""


class ContentOffsite(NotAWebApp):
    """The app serves its pages but fetches its content from another origin, which simulated users
    never reach (they stay on the app's own origin): the control would be measured empty."""


class AmbiguousPlan(BringupFailed):
    """More than one way to bring the app up fits equally well; variantlab.toml must choose."""


@dataclass(frozen=True)
class Evidence:
    """Why one key of the plan has its value: what was read, and where it came from."""

    key: str       # the plan key it supports: "kind", "install", "build", "start", "port", ...
    value: str     # the chosen value, as text
    because: str   # "package-lock.json → npm", "scripts.build runs vite build → serve dist/", ...
    source: str = "detected"  # "detected" | "variantlab.toml" | "default"


@dataclass(frozen=True)
class AppConfig:
    """The bring-up plan of one app: detected from its files (Railpack-style), any key overridden by
    its variantlab.toml. Commands run from the app root with /bin/sh. None means: no such step."""

    kind: AppKind | str
    install: str | None = None       # dependencies; the only step that may reach the registries
    build: str | None = None         # e.g. "npm run build"; isolated
    setup: tuple[str, ...] = ()      # first-run steps the app names (flask init-db, migrate); isolated
    start: str | None = None         # serves on $PORT (and $HOST); None: static files from static_root
    test: str | None = None          # the app's own tests; exit 0 = pass
    port: int = 8000
    static_root: str = "."
    env: tuple[tuple[str, str], ...] = ()  # extra environment for build/setup/start/test
    # Files whose bytes decide the installed dependencies (the dependency cache key) and the folders
    # the install fills (reused across sandboxes of one experiment; never part of a diff).
    lockfiles: tuple[str, ...] = ()
    dependency_dirs: tuple[str, ...] = ()
    package_manager: str | None = None    # "npm" | "pnpm" | "yarn" | "pip" | "pipenv" | None
    test_report: str | None = None        # "junit" | "vitest-json" | "jest-json" | None (whole suite)
    evidence: tuple[Evidence, ...] = ()


BringupPlan = AppConfig  # the name the issue and the docs use


def plan_as_dict(plan: AppConfig) -> dict[str, object]:
    """The plan as plain JSON-able data (stored with the experiment; `variantlab detect --json`)."""
    data = asdict(plan)
    data["kind"] = str(plan.kind)
    data["env"] = dict(plan.env)
    return data


def describe_plan(plan: dict[str, object]) -> str:
    """A stored plan in one line: "node (npm): npm ci → npm run build → serve dist as files"."""
    setup = plan.get("setup") or []
    steps = [plan.get("install"), plan.get("build"), *(setup if isinstance(setup, list | tuple) else [setup])]
    serve = plan.get("start") or f"serve {plan.get('static_root') or '.'} as files"
    manager = f" ({plan['package_manager']})" if plan.get("package_manager") else ""
    return f"{plan.get('kind')}{manager}: " + " → ".join([str(s) for s in steps if s] + [str(serve)])


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

    def read_bytes(self, path: str) -> bytes:
        """The file as stored: read_file decodes UTF-8 (with replacement) and may translate newlines,
        so an edit of a latin-1 or CRLF file must start from its bytes to change only what it means to."""
        ...

    def write_bytes(self, path: str, data: bytes) -> None:
        """Write `data` unchanged (creating parent folders, owned as write_file's files are)."""
        ...

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

    def stop(self) -> None:
        """Kill every command the sandbox is running and destroy it; safe from another thread while
        a command is waited on (a solve whose budget ended stops its runs' sandboxes this way)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...
