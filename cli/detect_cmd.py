"""`variantlab detect`: the bring-up plan of a local checkout and the evidence for each choice."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from agents.sandbox.appconfig import load_app_config
from agents.sandbox.base import AppConfig, SandboxError
from cli.errors import UserError, printable

KEYS = ("kind", "package_manager", "install", "build", "setup", "start", "port", "static_root", "test",
        "test_report", "env", "lockfiles", "dependency_dirs")


def detect(repo: str, as_json: bool) -> int:
    root = Path(repo).expanduser()
    if not root.is_dir():
        raise UserError(f"not a folder: {repo} (detect reads a local checkout)")
    try:
        plan = load_app_config(root.resolve())
    except SandboxError as exc:  # NotAWebApp, AmbiguousPlan, a bad variantlab.toml: already one line
        raise UserError(str(exc)) from None
    print(json.dumps(dataclasses.asdict(plan), indent=2) if as_json else render(plan))
    return 0


def render(plan: AppConfig) -> str:
    lines = []
    for key in KEYS:
        shown = _text(getattr(plan, key))
        rows = [row for row in plan.evidence if row.key == key]
        # Empty extras, and the port / static root of whatever does not apply to how the app is
        # served, say nothing unless something chose them.
        idle = (key == "port" and not plan.start) or (key == "static_root" and plan.start)
        if (not shown and key not in ("kind", "start", "install", "test")) or (idle and not rows):
            continue
        lines.append(f"{key:>16}  {printable(shown) or '—'}")
        for row in rows:
            origin = "" if row.source == "detected" else f" [{printable(row.source)}]"
            # The evidence quotes the repo's own files (a package.json script, a Procfile line):
            # whatever they hold is shown, never run by the terminal.
            lines.append(f"{'':>16}    because {printable(row.because)}{origin}")
    return "\n".join(lines)


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return "; ".join("=".join(v) if isinstance(v, tuple) else str(v) for v in value)
    return "" if value is None else str(value)
