"""Pick the sandbox provider from settings."""

from __future__ import annotations

from pathlib import Path

from agents.sandbox.base import Sandbox
from settings import SandboxSettings


def open_sandbox(repo: str, ref: str | None = None, *, patch: str | None = None,
                 sandbox: SandboxSettings, data_dir: Path) -> Sandbox:
    """A ready sandbox of `repo` at `ref` (+ `patch`): checked out, its plan's install, build and
    setup steps done. Use it as a context manager. Whether the install reaches the package
    registries is VARIANTLAB_SANDBOX__INSTALL_NETWORK (on by default), the same for every stage.

    `sandbox` and `data_dir` (the resolved data dir, which holds the sandboxes and their caches) are
    handed in by the caller: the stages (the pipeline's settings resource), the CLI, a test."""
    if sandbox.provider == "e2b":
        from agents.sandbox.e2b_sandbox import E2BSandbox

        return E2BSandbox(repo, ref, patch=patch, sandbox=sandbox, data_dir=data_dir)
    from agents.sandbox.local import LocalSandbox

    return LocalSandbox(repo, ref, patch=patch, sandbox=sandbox, data_dir=data_dir)
