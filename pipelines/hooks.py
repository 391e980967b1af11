"""Which process ran each step: its pid and host, in the run's event log, whatever the executor.

With steps spread over Celery workers, this is how an operator (and the scale-out test) tells where a
stage ran: the hook runs in the step's own process, after the step, whether it succeeded or failed.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import dagster as dg
from dagster._core.events import EngineEventData  # the same record dagster-celery writes per step

STEP_PROCESS_PID, STEP_PROCESS_HOST = "pid", "host"
CELERY_WORKER = "Celery worker"  # dagster_celery.tasks names the worker node so


def _record_step_process(context: dg.HookContext) -> None:
    pid, host = os.getpid(), socket.gethostname()
    context.instance.report_engine_event(
        f"{context.step_key} ran in pid {pid} on {host}",
        context.instance.get_run_by_id(context.run_id),
        EngineEventData({STEP_PROCESS_PID: dg.MetadataValue.int(pid), STEP_PROCESS_HOST: dg.MetadataValue.text(host)}),
        step_key=context.step_key,
    )


@dg.success_hook(name="step_process_on_success")
def step_process_on_success(context: dg.HookContext) -> None:
    _record_step_process(context)


@dg.failure_hook(name="step_process_on_failure")
def step_process_on_failure(context: dg.HookContext) -> None:
    _record_step_process(context)


STEP_PROCESS_HOOKS = {step_process_on_success, step_process_on_failure}


@dataclass(frozen=True)
class StepAttempt:
    """One attempt at a step: the Celery worker that took it (None in-process), and the process that
    finished it; pid and host stay None when the attempt never finished (its worker was lost)."""

    step_key: str
    worker: str | None
    pid: int | None
    host: str | None

    @property
    def finished(self) -> bool:
        return self.pid is not None


def step_attempts(instance: dg.DagsterInstance, run_id: str) -> list[StepAttempt]:
    """Every attempt at every step of a run, in the order they started."""
    attempts: list[StepAttempt] = []
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        event = entry.dagster_event
        metadata = event.engine_event_data.metadata if event and event.engine_event_data else {}
        if CELERY_WORKER in metadata:  # dagster-celery's record, written when a worker takes the step
            attempts.append(StepAttempt(event.step_key, str(metadata[CELERY_WORKER].value), None, None))
        elif STEP_PROCESS_PID in metadata and STEP_PROCESS_HOST in metadata:
            pid, host = int(metadata[STEP_PROCESS_PID].value), str(metadata[STEP_PROCESS_HOST].value)
            taken = [i for i, a in enumerate(attempts) if a.step_key == event.step_key and not a.finished]
            if taken:
                attempts[taken[-1]] = StepAttempt(event.step_key, attempts[taken[-1]].worker, pid, host)
            else:
                attempts.append(StepAttempt(event.step_key, None, pid, host))
    return attempts
