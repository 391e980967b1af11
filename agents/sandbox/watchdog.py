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
import time
from pathlib import Path

INTERVAL_S = 0.1
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _children_of(pid: int) -> list[int] | None:
    """The children of every thread of `pid`; None where the kernel has no children files."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []  # exited meanwhile
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as handle:
                found.extend(int(child) for child in handle.read().split())
        except FileNotFoundError:
            if not os.path.exists(f"/proc/{pid}/task/{tid}"):
                continue  # the thread ended
            return None  # CONFIG_PROC_CHILDREN is off
        except OSError:
            continue
    return found


def _parent_map() -> dict[int, list[int]]:
    """Every process's children, from one scan of /proc (the fallback: costs ~5 ms per 150 pids)."""
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
    init, which is itself below the bwrap root, so it stays in the set). Walks down from the roots
    only, so the cost is the sandbox's process count, not the host's."""
    found: set[int] = set()
    stack = list(roots)
    parent_map: dict[int, list[int]] | None = None
    while stack:
        pid = stack.pop()
        if pid in found:
            continue
        found.add(pid)
        below = _children_of(pid) if parent_map is None else parent_map.get(pid, [])
        if below is None:
            parent_map = _parent_map()
            below = parent_map.get(pid, [])
        stack.extend(below)
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
        self.roots: set[int] = set()
        self._tripped: set[int] = set()

    def track(self, pid: int) -> None:
        with _MONITOR.lock:
            self.roots.add(pid)
            _MONITOR.watch(self)

    def untrack(self, pid: int) -> bool:
        """Stop watching `pid`; True when the budget killed it."""
        with _MONITOR.lock:
            self.roots.discard(pid)
            tripped = pid in self._tripped
            self._tripped.discard(pid)
            return tripped

    def message(self) -> str:
        return (f"killed: the sandbox's processes together used more than {self.limit_mb} MB of memory; "
                f"raise {self.setting}")

    def check(self) -> None:
        """One sample (called by the monitor thread, without the lock held)."""
        roots = set(self.roots)
        pids = descendants(roots)
        used = sum(resident_bytes(pid) for pid in pids)
        self.peak_bytes = max(self.peak_bytes, used)
        if used <= self.limit_bytes:
            return
        with _MONITOR.lock:
            self._tripped |= roots & self.roots
        for pid in roots:
            _kill(os.killpg, pid)  # every root leads its own process group
        for pid in pids:
            _kill(os.kill, pid)


def _kill(send, pid: int) -> None:  # type: ignore[no-untyped-def]
    try:
        send(pid, signal.SIGKILL)
    except OSError:
        pass


class _Monitor:
    """One thread samples every sandbox of this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._budgets: list[MemoryBudget] = []
        self._wake = threading.Condition(self.lock)
        self._thread: threading.Thread | None = None

    def watch(self, budget: MemoryBudget) -> None:  # called with the lock held
        if budget not in self._budgets:
            self._budgets.append(budget)
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, daemon=True, name="sandbox-memory-budget")
            self._thread.start()
        self._wake.notify()

    def _run(self) -> None:
        while True:
            with self.lock:
                self._budgets = [b for b in self._budgets if b.roots]
                while not self._budgets:
                    self._wake.wait()
                    self._budgets = [b for b in self._budgets if b.roots]
                budgets = list(self._budgets)
            for budget in budgets:
                budget.check()
            time.sleep(INTERVAL_S)


_MONITOR = _Monitor()
