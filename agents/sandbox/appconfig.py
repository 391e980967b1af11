"""The bring-up plan of a target app: detected from its files, overridden by its variantlab.toml.

Callers keep this entry point; the detection lives in agents/sandbox/bringup/. The file's keys and
types are checked where it is parsed (bringup/toml.py); what needs the app folder or the finished
plan (paths that leave the folder, a start command emptied with nothing to serve instead) and the
limits on its size and text are checked here, so every caller refuses the same files.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from agents.sandbox.base import AppConfig, AppKind, SandboxError
from agents.sandbox.bringup.detect import plan_for
from agents.sandbox.bringup.files import DiskTree
from agents.sandbox.bringup.plan import CONFIG_FILE

__all__ = ["CONFIG_FILE", "check_local_app", "load_app_config"]

# The file holds a dozen keys; anything near this size is not a variantlab.toml.
MAX_CONFIG_BYTES = 64 * 1024
# A command (or a path, or an environment value): long enough for a real one-liner.
MAX_VALUE_CHARS = 4000
# Paths the sandbox serves from, hashes, or copies between sandboxes: they must stay in the app.
PATH_KEYS = ("static_root", "lockfiles", "dependency_dirs")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Line breaks and tabs are ordinary in a multi-line command; other control characters (ESC starts
# terminal escape sequences) would drive the terminal of whoever prints the plan.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def load_app_config(root: Path) -> AppConfig:
    """The plan for the checkout at `root` (raises NotAWebApp / AmbiguousPlan / SandboxError)."""
    config = root / CONFIG_FILE
    if config.is_file() and (size := config.stat().st_size) > MAX_CONFIG_BYTES:
        raise SandboxError(f"{CONFIG_FILE}: the file is {size} bytes; the limit is {MAX_CONFIG_BYTES} "
                           "(it sets a few keys of the bring-up plan)")
    tree = _ConfinedTree(root)
    try:
        plan = plan_for(tree, str(root))
    except OSError as exc:  # an unreadable file or folder of the app: the user's to fix, not a crash
        raise SandboxError(f"{root}: cannot read {exc.filename or 'a file'} ({exc.strerror or exc}); make the app's "
                           "files readable") from None
    text = tree.read(CONFIG_FILE)
    if text is not None:
        import tomllib

        # Parsed (and its keys' types checked) by detect_plan already: this cannot fail now.
        _check_overrides(root, tomllib.loads(text), plan)
    return plan


def check_local_app(location: str) -> None:
    """When `location` is a local folder, raise its bring-up error now (not a web app, an ambiguous
    plan, a bad variantlab.toml), so an experiment is refused before any row is written. A remote
    repo is checked when the first stage clones it."""
    path = Path(location)
    if path.is_dir():
        load_app_config(path)


class _ConfinedTree(DiskTree):
    """The app's files as detection reads them, without following a symbolic link out of the folder:
    a link to / would otherwise have detection read (and walk) the whole machine."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._base = root.resolve()

    def _inside(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self._base)

    def read(self, path: str) -> str | None:
        return super().read(path) if self._inside(self.root / path) else None

    def entries(self, folder: str = "") -> tuple[list[str], list[str]]:
        target = self.root / folder
        if not (target.is_dir() and self._inside(target)):
            return [], []
        files, dirs = [], []
        for child in sorted(target.iterdir()):
            if not self._inside(child):
                continue
            if child.is_file():
                files.append(child.name)
            elif child.is_dir():
                dirs.append(child.name)
        return files, dirs


def _check_overrides(root: Path, data: dict[str, Any], plan: AppConfig) -> None:
    for key, value in data.items():
        for text in _strings(value):
            if len(text) > MAX_VALUE_CHARS:
                raise SandboxError(f"{CONFIG_FILE}: {key} is {len(text)} characters; the limit is {MAX_VALUE_CHARS}")
            if _CONTROL.search(text):
                raise SandboxError(f"{CONFIG_FILE}: {key} contains control characters (such as terminal escape "
                                   "sequences); give plain text (line breaks and tabs are fine)")
    for name in data.get("env", {}):
        if not _ENV_NAME.match(name):
            raise SandboxError(f"{CONFIG_FILE}: env name {name!r} is not a variable name; use letters, digits "
                               "and '_', not starting with a digit")
    for key in PATH_KEYS:
        for path in _strings(data.get(key)):
            _inside(root, key, path)
    start = data.get("start")
    if isinstance(start, str) and not start.strip() and "static_root" not in data and plan.kind != AppKind.STATIC:
        # "" means "no such step", but a server app without its server would be served as its
        # source files: say so now instead of measuring a directory listing.
        raise SandboxError(f"{CONFIG_FILE}: start is empty, so nothing serves this {plan.kind} app; give the "
                           "command that serves it on $PORT, or set static_root to the folder of built files")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    if isinstance(value, dict):
        return [str(item) for pair in value.items() for item in pair]
    return []


def _inside(root: Path, key: str, path: str) -> None:
    """A path of the plan names something inside the app folder (symbolic links followed)."""
    path = path.strip()
    # static_root is read from the app's root either way ("/dist" is "dist", as bringup/toml.py
    # takes it); the other paths are joined to the folder, where an absolute one would replace it.
    relative = path.strip("/") if key == "static_root" or not PurePosixPath(path).is_absolute() else None
    base = root.resolve()
    if relative is None or not (base / relative).resolve().is_relative_to(base):
        raise SandboxError(f"{CONFIG_FILE}: {key} {path!r} is outside the app folder; give a path inside it, "
                           "relative to its root")
