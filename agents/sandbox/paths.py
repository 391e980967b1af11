"""The sandbox file API on the host side, confined to the workdir.

The workdir is writable by untrusted code, which can swap a path component for a symlink between
our check and our open. So after checking the resolved path we walk it component by component with
O_NOFOLLOW relative to a directory fd: a swapped-in symlink makes the open fail instead of escaping.
"""

from __future__ import annotations

import os
from pathlib import Path

from agents.sandbox.base import PathEscape

_SKIP_DIRS = {".git"}


def confine(workdir: Path, path: str) -> Path:
    """The path inside the workdir that `path` names, symlinks resolved; PathEscape otherwise."""
    if not path or "\x00" in path:
        raise PathEscape(f"invalid path {path!r}")
    if os.path.isabs(path):
        raise PathEscape(f"absolute paths are not allowed: {path}")
    if ".." in Path(path).parts:
        raise PathEscape(f"'..' is not allowed in sandbox paths: {path}")
    root = workdir.resolve()
    resolved = (root / path).resolve()
    if resolved != root and root not in resolved.parents:
        raise PathEscape(f"{path} resolves outside the workdir (through a symlink)")
    return resolved


def _open_within(root: Path, target: Path, flags: int, mode: int = 0o644) -> int:
    parts = target.relative_to(root).parts
    dir_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for part in parts[:-1]:
            next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
            os.close(dir_fd)
            dir_fd = next_fd
        if not parts:
            raise IsADirectoryError(str(target))
        return os.open(parts[-1], flags | os.O_NOFOLLOW, mode, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == 40:  # ELOOP: a component became a symlink after the check
            raise PathEscape(f"{target} changed into a symlink while being opened") from exc
        raise
    finally:
        os.close(dir_fd)


def read_text(workdir: Path, path: str) -> str:
    target = confine(workdir, path)
    fd = _open_within(workdir.resolve(), target, os.O_RDONLY)
    with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as handle:
        return handle.read()


def read_bytes(workdir: Path, path: str) -> bytes:
    target = confine(workdir, path)
    fd = _open_within(workdir.resolve(), target, os.O_RDONLY)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def write_text(workdir: Path, path: str, content: str, owner: int | None) -> None:
    """Write UTF-8 text (creating parent folders); see write_bytes."""
    write_bytes(workdir, path, content.encode("utf-8"), owner)


def write_bytes(workdir: Path, path: str, data: bytes, owner: int | None) -> None:
    """Write (creating parent folders); the file goes to the sandbox uid so its code may edit it."""
    target = confine(workdir, path)
    root = workdir.resolve()
    current = root
    for part in target.relative_to(root).parts[:-1]:
        current = current / part
        if not current.exists():
            current.mkdir()
            if owner is not None:
                os.lchown(current, owner, owner)
        confine(workdir, str(current.relative_to(root)))
    fd = _open_within(root, target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    with os.fdopen(fd, "wb") as handle:
        if owner is not None:
            os.fchown(handle.fileno(), owner, owner)
        handle.write(data)


def list_files(workdir: Path, path: str = ".") -> list[str]:
    """Files under `path` (relative to the workdir, sorted), skipping .git; symlinks are not followed."""
    root = workdir.resolve()
    base = root if path in ("", ".") else confine(workdir, path)
    if base.is_file():
        return [str(base.relative_to(root))]
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        rel = Path(dirpath).relative_to(root)
        found.extend(str(rel / name) if str(rel) != "." else name for name in filenames)
    return sorted(found)
