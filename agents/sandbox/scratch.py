"""The sandbox's own directory: a size-capped tmpfs when we may mount one, else a plain folder.

Why tmpfs: on this kind of VM disk, creating a file costs ~1 ms, so checking out a small site took
longer than everything else together; on tmpfs it is free. The size cap matters because a tmpfs
is RAM: untrusted code filling its workdir must hit the cap, not the host's memory.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

_MS_NOSUID, _MS_NODEV = 2, 4
_MNT_DETACH = 2


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def make_root(path: Path, size_mb: int) -> bool:
    """Create `path`; True when it is a fresh tmpfs of size_mb (root with CAP_SYS_ADMIN only)."""
    path.mkdir(parents=True)
    if os.geteuid() != 0:
        return False
    options = f"size={size_mb}m,mode=0755".encode()
    if _libc().mount(b"tmpfs", str(path).encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, options) != 0:
        log.info("tmpfs unavailable for sandboxes (errno %d); using the disk", ctypes.get_errno())
        return False
    return True


def remove_root(path: Path, mounted: bool) -> None:
    if mounted:
        _libc().umount2(str(path).encode(), _MNT_DETACH)
    shutil.rmtree(path, ignore_errors=True)


def _process_identity(pid: int) -> str | None:
    """pid plus its start time: a recycled pid is not mistaken for the process that made the root."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return f"{pid}:{stat.rsplit(')', 1)[1].split()[19]}"


def claim_root(path: Path) -> None:
    # Written aside and renamed into place: a concurrent reaper must never read a half-written
    # (empty) owner, take it for a dead process and remove a root that is being created.
    pending = path / ".owner.pending"
    pending.write_text(_process_identity(os.getpid()) or str(os.getpid()))
    os.replace(pending, path / ".owner")


def _mounted_paths() -> set[str]:
    try:
        return {line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()}
    except OSError:
        return set()


def reap_orphans(parent: Path) -> int:
    """Remove sandbox roots whose creating process is gone (a run killed with SIGKILL cannot clean
    up, and a tmpfs left mounted holds RAM). Returns how many were reaped."""
    if not parent.is_dir():
        return 0
    mounts, reaped = _mounted_paths(), 0
    for root in parent.iterdir():
        owner = root / ".owner"
        try:
            recorded = owner.read_text().strip()
        except OSError:
            continue  # being created right now, or not ours
        if not recorded.split(":", 1)[0].isdigit():
            continue  # not an owner this code wrote: leave it alone
        pid = int(recorded.split(":", 1)[0])
        if pid > 0 and _process_identity(pid) == recorded:
            continue
        remove_root(root, str(root) in mounts)
        reaped += 1
    if reaped:
        log.info("reaped %d orphaned sandbox root(s) under %s", reaped, parent)
    return reaped
