"""Run one process with a wall-clock timeout that takes its whole tree down, and bounded output."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from agents.sandbox.base import CommandResult
from agents.sandbox.watchdog import MemoryBudget

MAX_OUTPUT_BYTES = 1 << 20  # per stream; a chatty command must not exhaust the host's memory


class _Capped:
    """Drain a pipe to the end (so the writer never blocks), keeping only the first bytes."""

    def __init__(self, stream: object) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.dropped = 0
        self.thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self.thread.start()

    def _drain(self, stream) -> None:  # type: ignore[no-untyped-def]
        for chunk in iter(lambda: stream.read1(65536), b""):
            keep = chunk[: max(MAX_OUTPUT_BYTES - self.size, 0)]
            if keep:
                self.chunks.append(keep)
                self.size += len(keep)
            self.dropped += len(chunk) - len(keep)
        stream.close()

    def text(self) -> str:
        self.thread.join(timeout=5)
        out = b"".join(self.chunks).decode("utf-8", errors="replace")
        return out + (f"\n[... {self.dropped} bytes of output dropped]" if self.dropped else "")


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the process group; under bwrap the pid namespace dies with its init."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


def kill_uid(uid: int) -> None:
    """Kill every process of a dedicated sandbox uid (catches anything that left the tree)."""
    if uid in (0, os.getuid()):
        return
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == uid:
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue


def kill_commands_bound_to(workdir: str) -> None:
    """SIGKILL the process groups of the commands bound to this workdir (bwrap's argv names it).

    A thread waiting on a command cannot be interrupted, and a local sandbox does not track its
    commands: its bwrap processes are found by the workdir they bind. Killing the outer bwrap's group
    takes its pid namespace down with it (--die-with-parent).
    """
    own = os.getpgrp()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = handle.read().split(b"\0")
            if workdir.encode() not in argv:
                continue
            pid = int(entry)
            group = os.getpgid(pid)
            if group != own:
                os.killpg(group, signal.SIGKILL)
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):  # gone meanwhile, or not ours to kill
            continue


# How a command killed by a limit ends: SIGXCPU at the soft CPU-time limit (the hard limit a few
# seconds later is SIGKILL); as a shell's exit status, 128 + the signal.
_CPU_EXITS = {-signal.SIGXCPU, 128 + signal.SIGXCPU}
_NO_PROCESS = ("Resource temporarily unavailable", "EAGAIN", "Cannot fork")  # libc, node, dash


@dataclass(frozen=True)
class LimitSettings:
    """The settings that raise each limit, named in the line a killed command gets."""

    timeout: str = "VARIANTLAB_SANDBOX__COMMAND_TIMEOUT_S"
    cpu_s: int = 0
    max_processes: int = 0


def run_process(
    argv: list[str], *, env: dict[str, str], cwd: str | None, timeout_s: float,
    budget: MemoryBudget | None = None, limits: LimitSettings = LimitSettings(),
) -> CommandResult:
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, process_group=0,
        )
    except OSError as exc:
        return CommandResult(127, "", f"cannot start {argv[0]}: {exc}", 0.0)
    if budget is not None:
        budget.track(proc.pid)
    out, err = _Capped(proc.stdout), _Capped(proc.stderr)
    # Wait on the pipes' EOF (event-driven) rather than Popen.wait(timeout), which polls with
    # sleeps and added ~5 ms to every command.
    deadline = time.monotonic() + timeout_s
    for reader in (out, err):
        reader.thread.join(max(deadline - time.monotonic(), 0))
    timed_out = False
    try:
        proc.wait(timeout=max(deadline - time.monotonic(), 0.001))
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_tree(proc)
        proc.wait()
    over_budget = budget is not None and budget.untrack(proc.pid)
    duration_ms = (time.perf_counter() - start) * 1000
    stderr = err.text()
    if timed_out:
        stderr += f"\n[killed after {timeout_s:g}s wall-clock timeout; raise {limits.timeout}]"
    elif over_budget:
        stderr += f"\n[{budget.message()}]"  # type: ignore[union-attr]
    elif proc.returncode in _CPU_EXITS and limits.cpu_s:
        stderr += (f"\n[killed: a process used more than {limits.cpu_s}s of CPU time; "
                   "raise VARIANTLAB_SANDBOX__CPU_TIME_LIMIT_S]")
    elif limits.max_processes and any(s in stderr for s in _NO_PROCESS):
        stderr += (f"\n[a process could not start: the sandbox may be at its limit of "
                   f"{limits.max_processes} processes; raise VARIANTLAB_SANDBOX__MAX_PROCESSES]")
    return CommandResult(
        exit_code=proc.returncode if not timed_out else 124,
        stdout=out.text(), stderr=stderr, duration_ms=duration_ms, timed_out=timed_out,
    )
