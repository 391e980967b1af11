"""Pick the sandbox provider from settings."""

from __future__ import annotations

from agents.sandbox.base import Sandbox
from db.settings import get_settings


def open_sandbox(repo: str, ref: str | None = None, *, patch: str | None = None,
                 allow_network_install: bool | None = None) -> Sandbox:
    """A ready sandbox of `repo` at `ref` (+ `patch`); use it as a context manager.

    `allow_network_install` None: VARIANTLAB_EXPERIMENT__ALLOW_NETWORK_INSTALL (off by default), so
    every stage and command that opens a sandbox follows the one setting.
    """
    settings = get_settings()
    if allow_network_install is None:
        allow_network_install = settings.experiment.allow_network_install
    if settings.sandbox.provider == "e2b":
        from agents.sandbox.e2b_sandbox import E2BSandbox

        return E2BSandbox(repo, ref, patch=patch, allow_network_install=allow_network_install)
    from agents.sandbox.local import LocalSandbox

    return LocalSandbox(repo, ref, patch=patch, allow_network_install=allow_network_install)
