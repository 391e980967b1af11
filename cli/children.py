"""A long-running command's children end with it.

SIGTERM (systemd, `docker stop`, a supervisor) and SIGHUP (the terminal closed) end Python at once,
skipping the `with` blocks that destroy sandboxes and stop servers; and a child that leads its own
process group (a sandbox's preview server, Streamlit) would live on and keep its port. So the
commands that serve until stopped turn those signals into the KeyboardInterrupt that Ctrl-C raises,
and on the way out end whatever they started that still runs.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agents.sandbox.watchdog import descendants as _tree

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# What a child gets between SIGTERM and SIGKILL: Streamlit and a preview server stop in well under 1 s.
GRACE_S = 5.0


class Stopped(KeyboardInterrupt):
    """A stop signal arrived (a KeyboardInterrupt, so code that handles Ctrl-C handles it too)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def descendants() -> set[int]:
    """The processes below this one now (children, theirs, and so on)."""
    return _tree({os.getpid()}) - {os.getpid()}


def end_processes(pids: set[int], grace_s: float = GRACE_S) -> set[int]:
    """SIGTERM each process and the process group it leads (which reaches grandchildren that were
    re-parented away from us), SIGKILL what still runs after `grace_s`; returns those that ran."""
    running = {pid for pid in pids if _running(pid)}
    # Never our own group: it holds us, and whatever shares a pipeline with us (`| tee log`).
    groups = {pid for pid in running if _group_of(pid) == pid != os.getpgrp()}
    _send(running, groups, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while any(_running(pid) for pid in running) and time.monotonic() < deadline:
        time.sleep(0.05)
    # A group outlives its leader while a member is left: it gets SIGKILL even if the leader obeyed.
    _send({pid for pid in running if _running(pid)}, groups, signal.SIGKILL)
    return running


@contextmanager
def ending_children(grace_s: float = GRACE_S) -> Iterator[None]:
    """On the way out, end the processes started below this one inside the block (not those that
    were there before it: a test runner's own helpers are none of the block's business)."""
    before = descendants()
    try:
        yield
    finally:
        end_processes(descendants() - before, grace_s)


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """In the block, SIGINT, SIGTERM and SIGHUP raise Stopped in the main thread. Only the first: the
    block's own cleanup (destroying sandboxes) must not be cut short by a second signal, and it is
    bounded anyway, because whatever the block started and that still runs is ended after it.
    Outside the main thread (a test serving in a thread) signals cannot be handled: nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        for each in STOP_SIGNALS:
            signal.signal(each, signal.SIG_IGN)
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        with ending_children():
            yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _send(pids: set[int], groups: set[int], signum: int) -> None:
    for group in groups:
        _ignore_gone(os.killpg, group, signum)
    for pid in pids:
        _ignore_gone(os.kill, pid, signum)


def _ignore_gone(send, target: int, signum: int) -> None:  # type: ignore[no-untyped-def]
    try:
        send(target, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _running(pid: int) -> bool:
    """Alive and not a zombie (a child that exited but that its parent has not reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
