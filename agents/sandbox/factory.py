"""Pick the sandbox provider from settings."""

from __future__ import annotations

from agents.sandbox.base import Sandbox
from settings import get_settings


def open_sandbox(repo: str, ref: str | None = None, *, patch: str | None = None) -> Sandbox:
    """A ready sandbox of `repo` at `ref` (+ `patch`): checked out, its plan's install, build and
    setup steps done. Use it as a context manager. Whether the install reaches the package
    registries is VARIANTLAB_SANDBOX__INSTALL_NETWORK (on by default), the same for every stage."""
    if get_settings().sandbox.provider == "e2b":
        from agents.sandbox.e2b_sandbox import E2BSandbox

        return E2BSandbox(repo, ref, patch=patch)
    from agents.sandbox.local import LocalSandbox

    return LocalSandbox(repo, ref, patch=patch)
