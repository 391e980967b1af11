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
from dagster._core.events import DagsterEventType
from dagster._core.storage.runs import SqliteRunStorage

from settings import get_settings

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
class RunProcess:
    """The process that executes a run, as far as this machine can tell."""

    pid: str | None
    alive: bool | None  # None: cannot be told (another machine, or nothing recorded)


def run_process(instance: dg.DagsterInstance, run: dg.DagsterRun) -> RunProcess:
    """From the run's tags; for a run without them, from the pid its process recorded when it started.

    Runs without the tags were started by a variantlab from before them, or by a script calling
    `materialize`. Every event carries the pid of the process that emitted it, RUN_START included,
    but a pid means something only on the machine of that process. With SQLite storage that is this
    machine (SQLite files are not shared between machines); on PostgreSQL the run may be anywhere, so
    it is never judged (the daemon's run monitoring looks after the runs it launched). The process is
    taken to be the run's if it is not a zombie and started no later than the RUN_START event: one
    started after it got a recycled pid. A run without a RUN_START is starting or was made by hand:
    nothing is told."""
    if PID_TAG in run.tags:
        return RunProcess(run.tags[PID_TAG], run_process_alive(run.tags))
    if not isinstance(instance.run_storage, SqliteRunStorage):
        return RunProcess(None, None)
    started = instance.get_records_for_run(run.run_id, of_type=DagsterEventType.RUN_START, limit=1).records
    entry = started[0].event_log_entry if started else None
    pid = entry.dagster_event.pid if entry and entry.dagster_event else None
    if entry is None or pid is None:
        return RunProcess(None, None)
    return RunProcess(str(pid), _alive_since(pid, entry.timestamp))


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
    """Mark failed the runs whose process is known to be gone (run_process) and free the pool slots
    they hold, and those of runs that have ended (Dagster frees an ended run's slots only through the
    daemon's run monitoring, which in-process runs do not have)."""
    storage = instance.event_log_storage
    holding = _slots_by_run(instance)
    recovered = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS)):
        process = run_process(instance, run)
        if process.alive is not False:
            continue
        reason = f"its process (pid {process.pid}) is gone"
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
            process = run_process(instance, record.dagster_run) if record else RunProcess(None, None)
            waits.append(SlotWait(pool, holder, process.pid, record.dagster_run.tags.get(HOST_TAG) if record else None,
                                  record.start_time if record else None, process.alive))
    return waits


def _slots_by_run(instance: dg.DagsterInstance) -> dict[str, list[str]]:
    storage = instance.event_log_storage
    held: dict[str, list[str]] = {run_id: [] for run_id in storage.get_concurrency_run_ids()}
    for pool in storage.get_concurrency_keys():
        for slot in storage.get_concurrency_info(pool).claimed_slots:
            held.setdefault(slot.run_id, []).append(pool)
    return held


def _alive_since(pid: int, timestamp: float) -> bool | None:
    """Whether a process with this pid, started no later than `timestamp`, is alive (None: no /proc)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    stat = _process_stat(pid)
    if stat is None:
        return None
    state, ticks = stat
    started = _boot_time() + int(ticks) / os.sysconf("SC_CLK_TCK")
    return state != "Z" and started <= timestamp + 1.0  # the boot time is in whole seconds


def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    return 0.0


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
