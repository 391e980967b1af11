"""Installed dependencies, kept once per (install command, lockfiles, package manager) and copied into
every later sandbox of the same app: the control, each variant and each solve run install once.

Copies, not hard links: a sandbox chowns its tree to its own uid and may write anywhere in it, so a
hard link would hand the cache's inodes to untrusted code (one sandbox could rewrite a package the
next one runs). `cp --reflink=auto` shares blocks copy-on-write where the filesystem can.

Concurrency: an exclusive lock per key is held from the lookup to the end of the save, so two
sandboxes created at once do one install (the second waits, then copies). A save is written aside
and renamed into place: a reader sees a complete entry or none. A run killed mid-install drops its
lock with its process. Entries no sandbox restored for two weeks are removed when another is saved.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agents.sandbox.base import AppConfig

log = logging.getLogger(__name__)
UNUSED_FOR_S = 14 * 24 * 3600  # an entry no sandbox restored for two weeks is removed


def cache_key(plan: AppConfig, workdir: Path) -> str | None:
    """None when the plan gives nothing to reuse (no install, or no folders it fills)."""
    if not plan.install or not plan.dependency_dirs:
        return None
    digest = hashlib.sha256()
    for part in (plan.install, plan.package_manager or "", *sorted(plan.dependency_dirs)):
        digest.update(part.encode() + b"\0")
    for name in sorted(plan.lockfiles):
        path = workdir / name
        digest.update(name.encode() + b"\0")
        # A lockfile the install creates counts as absent: the key is what the checkout holds.
        digest.update(path.read_bytes() if path.is_file() and not path.is_symlink() else b"\1absent")
    return digest.hexdigest()[:32]


class DependencyCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    @contextmanager
    def locked(self, key: str) -> Iterator[Path]:
        """Hold the key's lock; yields where the entry lives (it may not exist yet)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / f"{key}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield self.root / key
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def restore(self, entry: Path, workdir: Path, dirs: tuple[str, ...]) -> bool:
        """Copy a complete entry's folders into the workdir; False when there is none."""
        if not (entry / ".complete").is_file():
            return False
        (entry / ".complete").touch()  # its last use, for prune()
        for name in dirs:
            source, target = entry / "dirs" / name, _inside(workdir, name)
            if source.is_dir() and target is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                _copy(source, target)
        return True

    def save(self, entry: Path, workdir: Path, dirs: tuple[str, ...]) -> None:
        """Copy the folders the install filled; best effort (a failed save only costs reuse)."""
        staging = entry.with_name(f"{entry.name}.tmp-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            kept = 0
            for name in dirs:
                source = _inside(workdir, name)
                if source is not None and source.is_dir():
                    (staging / "dirs" / name).parent.mkdir(parents=True, exist_ok=True)
                    _copy(source, staging / "dirs" / name)
                    kept += 1
            if not kept:  # the install filled none of them: nothing to reuse, install next time too
                return
            (staging / ".complete").write_text("\n".join(dirs) + "\n")
            shutil.rmtree(entry, ignore_errors=True)
            os.rename(staging, entry)
        except (OSError, subprocess.CalledProcessError) as exc:
            log.warning("could not keep the installed dependencies for reuse: %s", exc)
            shutil.rmtree(staging, ignore_errors=True)
        self.prune(keep=entry.name)

    def prune(self, keep: str, unused_for_s: float = UNUSED_FOR_S) -> int:
        """Remove entries nobody restored for a while (skipping any in use); how many went."""
        removed = 0
        for complete in self.root.glob("*/.complete"):
            entry = complete.parent
            try:
                if entry.name == keep or time.time() - complete.stat().st_mtime < unused_for_s:
                    continue
            except OSError:
                continue
            with open(self.root / f"{entry.name}.lock", "w") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # being restored or refreshed right now
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        return removed


def _inside(workdir: Path, name: str) -> Path | None:
    """workdir/name when no part of it is a symlink or `..` (we copy as root: a repo's symlink must
    not lead a copy out of the workdir); None otherwise."""
    path = workdir / name
    if Path(name).is_absolute() or ".." in Path(name).parts:
        return None
    if path.resolve(strict=False) != workdir.resolve() / name or path.is_symlink():
        return None
    return path


def _copy(source: Path, target: Path) -> None:
    # Ownership is not kept: the cache is the host's, and each sandbox chowns its copy to its uid
    # (which also clears any set-uid bit a sandbox managed to set).
    subprocess.run(["cp", "-a", "-T", "--no-preserve=ownership", "--reflink=auto", "--",
                    str(source), str(target)], check=True, capture_output=True)
