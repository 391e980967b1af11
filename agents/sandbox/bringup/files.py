"""The app's files as detection sees them (a protocol, so detection never touches the disk directly)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

# Folders that hold installed or generated code, never the app's own source.
SKIPPED_DIRS = {"node_modules", ".venv", "venv", "env", "__pycache__", "site-packages", ".git", ".tox"}
MAX_READ = 512_000  # bytes: a lockfile or a bundle bigger than this says nothing detection needs


class Tree(Protocol):
    def read(self, path: str) -> str | None:
        """The text of a file (relative, POSIX), or None when it is not a file."""
        ...

    def entries(self, folder: str = "") -> tuple[list[str], list[str]]:
        """(file names, folder names) directly inside a folder; ([], []) when it does not exist."""
        ...


class DiskTree:
    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, path: str) -> str | None:
        target = self.root / path
        if not target.is_file():
            return None
        with target.open("rb") as handle:
            return handle.read(MAX_READ).decode("utf-8", errors="replace")

    def entries(self, folder: str = "") -> tuple[list[str], list[str]]:
        target = self.root / folder
        if not target.is_dir():
            return [], []
        children = sorted(target.iterdir())
        return ([c.name for c in children if c.is_file()], [c.name for c in children if c.is_dir()])


def has(tree: Tree, path: str) -> bool:
    return tree.read(path) is not None


def has_dir(tree: Tree, path: str) -> bool:
    parent, _, name = path.rstrip("/").rpartition("/")
    return name in tree.entries(parent)[1]


def read_json(tree: Tree, path: str) -> dict[str, Any]:
    text = tree.read(path)
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def walk(tree: Tree, suffix: str, depth: int = 3, folder: str = "") -> Iterator[str]:
    """Source files ending in `suffix`, shallow first, outside hidden and installed folders."""
    files, dirs = tree.entries(folder)
    for name in files:
        if name.endswith(suffix):
            yield str(PurePosixPath(folder, name)) if folder else name
    if depth > 0:
        for name in dirs:
            if not name.startswith(".") and name not in SKIPPED_DIRS:
                yield from walk(tree, suffix, depth - 1, f"{folder}/{name}" if folder else name)
