"""Watching a run from beside it: who holds the pool slot it waits for, and stopping it on a signal.

Dagster's in-process executor waits for a pool slot in a loop that never looks at signals (it only
records them, to raise them inside a step), so a run queued behind another would ignore Ctrl-C and
SIGTERM. The signal still reaches Python's wakeup fd, which this thread watches.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Self

import dagster as dg
from dagster._utils.concurrency import ConcurrencyClaimStatus, ConcurrencySlotStatus
from rich.console import Console

from cli.children import descendants, end_processes
from pipelines.instances import RecoveredRun, SlotWait, recover_dead_runs, slot_waits

POLL_S = 1.0
REPEAT_S = 30.0
# A stage gets this long to end after a signal (Dagster interrupts it at its next Python bytecode);
# with CHILDREN_GRACE_S for what it started, the command is gone within 10 s.
STOP_WITHIN_S = 7.0
CHILDREN_GRACE_S = 2.0


class RunWatch:
    """Beside a run in this process: says which run holds the pool slot it waits for (again every
    30 s), recovers a holder whose process died, and acts on SIGINT/SIGTERM (the first one is kept
    in `signum`): a wait stops at once; a running stage gets STOP_WITHIN_S or a second signal.
    `before_exit` gets why the process is about to end ("stopped by SIGTERM …")."""

    def __init__(self, console: Console, instance: dg.DagsterInstance, run_id: str, *,
                 before_exit: Callable[[str], None], on_recovered: Callable[[list[RecoveredRun]], None]) -> None:
        self.console, self.instance, self.run_id = console, instance, run_id
        self.before_exit, self.on_recovered = before_exit, on_recovered
        self._stop = threading.Event()
        self._said: tuple[str, str] | None = None
        self._said_at = self._waiting_since = 0.0
        self._signalled_at: float | None = None
        self._signals = 0
        self.signum: int | None = None  # the first SIGINT/SIGTERM received, if any
        # Held by the run's slot claims and by _exit: a claim the main thread is making as we exit
        # would otherwise queue the run again right after its queued claims were freed.
        self._claim_gate = threading.Lock()
        self._exiting = False

    def __enter__(self) -> Self:
        self._children_before = descendants()
        self._reader, writer = socket.socketpair()
        self._writer = writer
        writer.setblocking(False)
        self._old_fd = None
        if threading.current_thread() is threading.main_thread():
            self._old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        self._gate_claims()
        self._thread = threading.Thread(target=self._watch, name="run-watch", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        vars(self.instance.event_log_storage).pop("claim_concurrency_slot", None)
        if self._old_fd is not None:
            signal.set_wakeup_fd(self._old_fd)
        self._reader.close()
        self._writer.close()

    def _gate_claims(self) -> None:
        """Route this instance's slot claims through `_claim_gate`; once exiting, a claim is refused
        (BLOCKED) instead of queueing the canceled run again."""
        storage = self.instance.event_log_storage
        claim = storage.claim_concurrency_slot

        def gated(concurrency_key: str, run_id: str, step_key: str, priority: int | None = None):
            with self._claim_gate:
                if self._exiting:
                    return ConcurrencyClaimStatus(concurrency_key=concurrency_key,
                                                  slot_status=ConcurrencySlotStatus.BLOCKED, sleep_interval=1.0)
                return claim(concurrency_key, run_id, step_key, priority)

        storage.claim_concurrency_slot = gated

    def _watch(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._reader], [], [], POLL_S)
            stop = [s for s in (self._reader.recv(64) if ready else b"") if s in (signal.SIGINT, signal.SIGTERM)]
            if stop:
                self._signals += len(stop)
                self._signalled_at = self._signalled_at or time.monotonic()
                self.signum = self.signum or stop[0]
            waits = self._waits()
            if stop and waits:
                self._exit(stop[-1], f"while waiting for a `{waits[0].pool}` slot held by run "
                                     f"{waits[0].holder_run_id[:8]}")
            elif self._signals > 1:
                self._exit(stop[-1], "a second time")
            elif self._signalled_at and time.monotonic() - self._signalled_at > STOP_WITHIN_S:
                self._exit(self.signum or signal.SIGINT,
                           f"and the running stage did not stop within {STOP_WITHIN_S:.0f}s")
            self._say(waits)

    def _waits(self) -> list[SlotWait]:
        """What the run waits for; a holder whose process died meanwhile is recovered on the spot."""
        try:
            waits = slot_waits(self.instance, self.run_id)
            if any(wait.holder_alive is False for wait in waits):
                self.on_recovered(recover_dead_runs(self.instance))
                waits = slot_waits(self.instance, self.run_id)
            return waits
        except Exception:  # noqa: BLE001 - a busy instance database must not end the watch
            return []

    def _say(self, waits: list[SlotWait]) -> None:
        if not waits:
            self._said = None
            return
        wait, now = waits[0], time.monotonic()
        if self._said != (wait.pool, wait.holder_run_id):
            self._said, self._said_at, self._waiting_since = (wait.pool, wait.holder_run_id), now, now
            self.console.print(f"{wait.line()} (Ctrl-C stops waiting)")
        elif now - self._said_at >= REPEAT_S:
            self._said_at = now
            self.console.print(f"still {wait.line()} {now - self._waiting_since:.0f}s so far")

    def _exit(self, signum: int, why: str) -> None:
        """Stop now: the run is marked canceled, its slots (and queued claims) are given back, and
        what its stage started is ended (a sandbox's server in its own process group would outlive
        os._exit and keep its port)."""
        name = signal.Signals(signum).name
        self.before_exit(f"stopped by {name} {why}")
        self.console.print(f"stopped by {name} {why}: run {self.run_id[:8]} canceled")
        run = self.instance.get_run_by_id(self.run_id)
        if run is not None and not run.is_finished:
            self.instance.report_run_canceled(run, message=f"Stopped by {name} ({why}).")
        with self._claim_gate:  # a claim in flight finishes first; none starts after
            self._exiting = True
        self.instance.event_log_storage.free_concurrency_slots_for_run(self.run_id)
        end_processes(descendants() - self._children_before, CHILDREN_GRACE_S)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + signum)
