"""`variantlab sandbox exec|serve`: one command, or the preview, in a fresh sandbox."""

from __future__ import annotations

import sys
import threading

from agents.sandbox.base import IsolationUnavailable, SandboxError
from agents.sandbox.factory import open_sandbox
from cli.children import stopped_by_signals
from cli.errors import UserError
from settings import get_settings


def _open(repo: str, ref: str | None):  # type: ignore[no-untyped-def]
    try:
        settings = get_settings()
        return open_sandbox(repo, ref, sandbox=settings.sandbox, data_dir=settings.resolved_data_dir)
    except IsolationUnavailable as exc:
        raise UserError(str(exc)) from exc
    except SandboxError as exc:
        raise UserError(str(exc).splitlines()[0] if str(exc) else "cannot create the sandbox") from exc


def exec_command(repo: str, ref: str | None, cmd: list[str]) -> int:
    """Run `cmd` in a fresh sandbox of repo@ref; print its output; return its exit code."""
    with _open(repo, ref) as sandbox:
        result = sandbox.run(cmd)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    sys.stdout.flush()
    return result.exit_code


def serve(repo: str, ref: str | None) -> None:
    """Print the preview URL and serve until Ctrl-C, SIGTERM or SIGHUP; the sandbox is destroyed on
    the way out, so its preview server ends and its port is free."""
    with stopped_by_signals(), _open(repo, ref) as sandbox:
        try:
            url = sandbox.start_preview()
        except SandboxError as exc:
            raise UserError(f"the preview did not start: {str(exc).splitlines()[0]}") from exc
        print(f"preview of {repo} at {url} (sandbox {sandbox.id}); Ctrl-C to stop", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping", file=sys.stderr)
