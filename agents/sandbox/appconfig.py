"""The bring-up plan of a target app: detected from its files, overridden by its variantlab.toml.

Callers keep this entry point; the detection lives in agents/sandbox/bringup/.
"""

from __future__ import annotations

from pathlib import Path

from agents.sandbox.base import AppConfig
from agents.sandbox.bringup.detect import detect_plan
from agents.sandbox.bringup.plan import CONFIG_FILE

__all__ = ["CONFIG_FILE", "check_local_app", "load_app_config"]


def load_app_config(root: Path) -> AppConfig:
    """The plan for the checkout at `root` (raises NotAWebApp / AmbiguousPlan / SandboxError)."""
    return detect_plan(root)


def check_local_app(location: str) -> None:
    """When `location` is a local folder, raise its bring-up error now (not a web app, an ambiguous
    plan, a bad variantlab.toml), so an experiment is refused before any row is written. A remote
    repo is checked when the first stage clones it."""
    path = Path(location)
    if path.is_dir():
        load_app_config(path)
