"""The bring-up plan of a target app: detected from its files, overridden by its variantlab.toml.

Callers keep this entry point; the detection lives in agents/sandbox/bringup/.
"""

from __future__ import annotations

from pathlib import Path

from agents.sandbox.base import AppConfig
from agents.sandbox.bringup.detect import detect_plan, plan_for
from agents.sandbox.bringup.files import MemoryTree
from agents.sandbox.bringup.plan import CONFIG_FILE

__all__ = ["CONFIG_FILE", "config_from_toml", "detect", "load_app_config", "plan_from_files"]


def load_app_config(root: Path) -> AppConfig:
    """The plan for the checkout at `root` (raises NotAWebApp / AmbiguousPlan / SandboxError)."""
    return detect_plan(root)


def plan_from_files(files: dict[str, str], label: str) -> AppConfig:
    """The plan from file texts read elsewhere (a remote sandbox): relative POSIX path → text."""
    return plan_for(MemoryTree(files), label)


# Transitional: e2b_sandbox.py still calls these two; they go once it calls plan_from_files.
def config_from_toml(text: str) -> AppConfig:
    return plan_from_files({CONFIG_FILE: text}, "the sandbox")


def detect(names: set[str], package_json: str) -> AppConfig:
    files = {name: "" for name in names} | ({"package.json": package_json} if package_json else {})
    return plan_from_files(files, "the sandbox")
