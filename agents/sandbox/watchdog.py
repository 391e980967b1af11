"""The sandbox's memory budget: all its processes together, by resident memory.

Why not RLIMIT_AS: it bounds address space per process, and a Wasm toolchain (esbuild, Rollup,
SWC under `vite build`) reserves many gigabytes it never touches, so a normal build died with a
Wasm out-of-memory error; meanwhile four processes under the per-process cap could hold four times
the budget together. Why not a cgroup: this kind of host gives no writable cgroup v2 memory
controller. So a thread samples the proportional set size (PSS: shared pages split among their
users, so a forked worker pool is not counted twice) of every process below the sandbox's
commands, and kills them all when the sum passes the budget.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

INTERVAL_S = 0.1
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def descendants(roots: set[int]) -> set[int]:
    """The roots and every process below them (a daemon re-parents to the sandbox's pid-namespace
    init, which is itself below the bwrap root, so it stays in the set)."""
    children, found, stack = _children_map(), set(), list(roots)
    while stack:
        pid = stack.pop()
        if pid not in found:
            found.add(pid)
            stack.extend(children.get(pid, ()))
    return found


def resident_bytes(pid: int) -> int:
    """PSS from smaps_rollup; RSS from statm where the kernel has no rollup. 0 once gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


class MemoryBudget:
    """Track the root pids of a sandbox's commands; over `limit_mb` together, kill them all."""

    def __init__(self, limit_mb: int, setting: str = "VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB") -> None:
        self.limit_bytes = limit_mb * 1024 * 1024
        self.limit_mb = limit_mb
        self.setting = setting
        self.peak_bytes = 0
        self._roots: set[int] = set()
        self._tripped: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._closed = False
        self._thread: threading.Thread | None = None

    def track(self, pid: int) -> None:
        with self._lock:
            self._roots.add(pid)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, daemon=True,
                                                name="sandbox-memory-budget")
                self._thread.start()
            self._wake.notify()

    def untrack(self, pid: int) -> bool:
        """Stop watching `pid`; True when the budget killed it."""
        with self._lock:
            self._roots.discard(pid)
            tripped = pid in self._tripped
            self._tripped.discard(pid)
            return tripped

    def message(self) -> str:
        return (f"killed: the sandbox's processes together used more than {self.limit_mb} MB of memory; "
                f"raise {self.setting}")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._wake.notify()

    def _watch(self) -> None:
        while True:
            with self._lock:
                while not self._roots and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                roots = set(self._roots)
            pids = descendants(roots)
            used = sum(resident_bytes(pid) for pid in pids)
            self.peak_bytes = max(self.peak_bytes, used)
            if used > self.limit_bytes:
                self._kill(roots, pids)
            with self._lock:
                if not self._closed:
                    self._wake.wait(INTERVAL_S)

    def _kill(self, roots: set[int], pids: set[int]) -> None:
        with self._lock:
            self._tripped |= roots & self._roots
        for pid in roots:
            try:
                os.killpg(pid, signal.SIGKILL)  # every root leads its own process group
            except OSError:
                pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
