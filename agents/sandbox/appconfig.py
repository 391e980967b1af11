"""The bring-up plan of a target app: detected from its files, overridden by its variantlab.toml.

Callers keep this entry point; the detection lives in agents/sandbox/bringup/.
"""

from __future__ import annotations

from pathlib import Path

from agents.sandbox.base import AppConfig
from agents.sandbox.bringup.detect import detect_plan
from agents.sandbox.bringup.plan import CONFIG_FILE

__all__ = ["CONFIG_FILE", "load_app_config"]


def load_app_config(root: Path) -> AppConfig:
    """The plan for the checkout at `root` (raises NotAWebApp / AmbiguousPlan / SandboxError)."""
    return detect_plan(root)
