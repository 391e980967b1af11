"""The Dagster instance the CLI uses: the embedded default unless DAGSTER_HOME names another."""

from __future__ import annotations

import os
import shutil
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from db.settings import get_settings

CONFIG_DIR = Path(__file__).parent / "instance"
EMBEDDED_CONFIG = CONFIG_DIR / "embedded.yaml"
PRODUCTION_CONFIG = CONFIG_DIR / "production.yaml"
# Per-pool limits live in the instance's storage (Dagster's design); these are set on first use.
POOL_LIMITS = {"sandbox": 2, "browser": 1, "llm": 4}


def dagster_home() -> Path:
    home = os.environ.get("DAGSTER_HOME")
    return Path(home) if home else get_settings().resolved_dagster_home


def get_instance() -> dg.DagsterInstance:
    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(EMBEDDED_CONFIG, home / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(home))
    apply_pool_limits(instance)
    return instance


def apply_pool_limits(instance: dg.DagsterInstance) -> None:
    storage = instance.event_log_storage
    known = set(storage.get_concurrency_keys())
    for pool, limit in POOL_LIMITS.items():
        if pool not in known:
            storage.set_concurrency_slots(pool, limit)


# Who runs a run started by the CLI: with these, a later command can tell a live run from one whose
# process was killed (kill -9, OOM, a closed laptop) and which still holds its pool slots.
PID_TAG, HOST_TAG, PROCESS_START_TAG = "variantlab/pid", "variantlab/host", "variantlab/process_start"
IN_PROGRESS = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED,
               dg.DagsterRunStatus.CANCELING]


def process_tags() -> dict[str, str]:
    """Tags for a run executed by this process."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname(),
            PROCESS_START_TAG: _process_start(os.getpid()) or ""}


def run_process_alive(tags: Mapping[str, str]) -> bool | None:
    """Whether the process that runs a run is alive; None when it cannot be told (another machine,
    or a run not started by the CLI: the daemon's run monitoring looks after those)."""
    if tags.get(HOST_TAG) != socket.gethostname() or not tags.get(PID_TAG, "").isdigit():
        return None
    pid = int(tags[PID_TAG])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    stat = _process_stat(pid)
    if stat is None:
        return True
    state, started = stat
    # A killed process its parent has not reaped yet is a zombie; a recycled pid started later.
    return state != "Z" and not (tags.get(PROCESS_START_TAG) and started != tags[PROCESS_START_TAG])


@dataclass(frozen=True)
class RecoveredRun:
    run_id: str
    reason: str
    pools: tuple[str, ...]  # whose slots it held
    marked_failed: bool

    def line(self) -> str:
        slots = ", ".join(f"`{pool}`" for pool in self.pools)
        if not self.marked_failed:
            return f"freed the {slots} slot of run {self.run_id[:8]}: {self.reason}"
        return f"recovered run {self.run_id[:8]}: {self.reason}; marked it failed" + (
            f" and freed its {slots} slot" if slots else "")


def recover_dead_runs(instance: dg.DagsterInstance) -> list[RecoveredRun]:
    """Mark failed the runs of this machine whose process is gone and free the pool slots they hold,
    and those of runs that have ended (Dagster frees an ended run's slots only through the daemon's
    run monitoring, which in-process runs do not have)."""
    storage = instance.event_log_storage
    holding = _slots_by_run(instance)
    recovered = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS, tags={HOST_TAG: socket.gethostname()})):
        if run_process_alive(run.tags) is not False:
            continue
        reason = f"its process (pid {run.tags.get(PID_TAG)}) is gone"
        instance.report_run_failed(run, message=f"Marked failed by variantlab: {reason}.")
        storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(RecoveredRun(run.run_id, reason, tuple(holding.pop(run.run_id, ())), marked_failed=True))
    for run_id, pools in holding.items():
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            storage.free_concurrency_slots_for_run(run_id)
            if pools:
                reason = f"it ended {run.status.value.lower()}" if run else "it no longer exists"
                recovered.append(RecoveredRun(run_id, reason, tuple(pools), marked_failed=False))
    return recovered


@dataclass(frozen=True)
class SlotWait:
    """A run of ours waiting for a pool slot, and the run holding it."""

    pool: str
    holder_run_id: str
    holder_pid: str | None
    holder_host: str | None
    holder_since: float | None
    holder_alive: bool | None

    def line(self) -> str:
        who = f"pid {self.holder_pid}" if self.holder_pid else "not started here"
        if self.holder_host and self.holder_host != socket.gethostname():
            who += f" on {self.holder_host}"
        since = f", running since {time.strftime('%H:%M:%S', time.localtime(self.holder_since))}" \
            if self.holder_since else ""
        return f"waiting for a `{self.pool}` slot held by run {self.holder_run_id[:8]} ({who}{since})…"


def slot_waits(instance: dg.DagsterInstance, run_id: str) -> list[SlotWait]:
    """The pools the run waits on (a step queued, not yet given a slot), with who holds them."""
    storage = instance.event_log_storage
    waits = []
    for pool in storage.get_concurrency_keys():
        info = storage.get_concurrency_info(pool)
        if not any(step.run_id == run_id and step.assigned_timestamp is None for step in info.pending_steps):
            continue
        for holder in sorted({slot.run_id for slot in info.claimed_slots if slot.run_id != run_id}):
            record = instance.get_run_record_by_id(holder)
            tags = record.dagster_run.tags if record else {}
            waits.append(SlotWait(pool, holder, tags.get(PID_TAG), tags.get(HOST_TAG),
                                  record.start_time if record else None, run_process_alive(tags)))
    return waits


def _slots_by_run(instance: dg.DagsterInstance) -> dict[str, list[str]]:
    storage = instance.event_log_storage
    held: dict[str, list[str]] = {run_id: [] for run_id in storage.get_concurrency_run_ids()}
    for pool in storage.get_concurrency_keys():
        for slot in storage.get_concurrency_info(pool).claimed_slots:
            held.setdefault(slot.run_id, []).append(pool)
    return held


def _process_start(pid: int) -> str | None:
    stat = _process_stat(pid)
    return stat[1] if stat else None


def _process_stat(pid: int) -> tuple[str, str] | None:
    """The process's state and its start time in clock ticks since boot (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], fields[19]
