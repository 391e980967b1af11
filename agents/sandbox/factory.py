"""Pick the sandbox provider from settings."""

from __future__ import annotations

from agents.sandbox.base import Sandbox
from db.settings import get_settings


def open_sandbox(repo: str, ref: str | None = None, *, patch: str | None = None,
                 allow_network_install: bool = False) -> Sandbox:
    """A ready sandbox of `repo` at `ref` (+ `patch`); use it as a context manager."""
    if get_settings().sandbox.provider == "e2b":
        from agents.sandbox.e2b_sandbox import E2BSandbox

        return E2BSandbox(repo, ref, patch=patch, allow_network_install=allow_network_install)
    from agents.sandbox.local import LocalSandbox

    return LocalSandbox(repo, ref, patch=patch, allow_network_install=allow_network_install)
