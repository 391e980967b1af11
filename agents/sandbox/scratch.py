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
