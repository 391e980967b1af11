"""A solve: the matrix of code-agent runs for one suggestion, in parallel sandboxes, under one budget."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from functools import partial
from typing import Any

from agents.code.champion import choose_champion, mark_duplicates
from agents.code.outcome import RunConfig, RunOutcome, SolveOutcome
from agents.code.result import implementation_prompt
from agents.code.runner import Emit, run_one
from agents.code.solve_events import EventKind, SolveEvent
from agents.code.test_report import TestOutcomes, run_suite
from agents.code.trajectory import now_iso
from agents.sandbox.base import Sandbox, SandboxError
from agents.schemas import SuggestionSpec
from settings import Settings

log = logging.getLogger(__name__)
AGENTS = ("recipe", "tool")
# After the budget ends, runs get this long to notice the cancellation and destroy their sandboxes.
CANCEL_GRACE_S = 10.0


class _Events:
    """What the runs report, from their own threads, as (kind, data): kept as SolveEvents in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[SolveEvent] = []

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._events.append(SolveEvent(EventKind(kind), data))

    def so_far(self) -> list[SolveEvent]:
        """A copy: a run that outlived the budget's grace may still report after the solve returns."""
        with self._lock:
            return list(self._events)


def _stop(sandbox: Sandbox) -> None:
    """Stop a run's sandbox from outside the run that holds it; one failure must not stop the others."""
    try:
        sandbox.stop()
    except Exception:  # the run's own cleanup tries again
        log.exception("stopping sandbox %s failed", getattr(sandbox, "id", "?"))


class _OpenSandboxes:
    """The sandboxes the runs have open, so the solve can stop them when its budget ends.

    Returning "cancelled" is not enough: a run's thread keeps waiting on its command (up to the
    command timeout) and its sandbox and processes live on after run_solve has returned.
    """

    def __init__(self, open_sandbox: Callable[..., Sandbox]) -> None:
        self._open_sandbox = open_sandbox
        self._lock = threading.Lock()
        self._sandboxes: list[Sandbox] = []
        self._stopping = False

    def open(self, repo: str, ref: str | None = None, **kw: Any) -> Sandbox:
        sandbox = self._open_sandbox(repo, ref, **kw)
        with self._lock:
            self._sandboxes.append(sandbox)
            stopping = self._stopping
        if stopping:  # it was being created when the budget ended
            _stop(sandbox)
        return sandbox

    def stop_all(self) -> None:
        with self._lock:
            self._stopping = True
            sandboxes = list(self._sandboxes)
        for sandbox in sandboxes:
            _stop(sandbox)


def _cancelled(index: int, config: RunConfig, suggestion: SuggestionSpec, why: str) -> RunOutcome:
    return RunOutcome(index=index, config=config, status="cancelled", error_message=why,
                      implementation_prompt=implementation_prompt(suggestion), completed_at=now_iso())


def run_solve(
    repo: str,
    suggestion: SuggestionSpec,
    *,
    ref: str | None = None,
    matrix: list[RunConfig],
    max_parallel: int,
    time_budget_s: int,
    agent: str = "recipe",
    settings: Settings,
) -> SolveOutcome:
    """The matrix's runs under one budget. `settings` (the sandbox, LLM, browser and code-agent
    sections, and the data dir) are handed in by the caller: the stage, the CLI, a test."""
    if agent not in AGENTS:
        raise ValueError(f"unknown agent {agent!r}; expected one of {', '.join(AGENTS)}")
    if not matrix:
        raise ValueError("the run matrix is empty")
    from agents.sandbox.factory import open_sandbox

    started = time.monotonic()
    sandboxes = _OpenSandboxes(partial(open_sandbox, sandbox=settings.sandbox, data_dir=settings.resolved_data_dir))
    events = _Events()
    emit = events.emit
    cancel = threading.Event()
    deadline = time.monotonic() + time_budget_s

    def task(index: int, config: RunConfig) -> tuple[RunOutcome, bool]:
        if cancel.is_set() or time.monotonic() >= deadline:
            out = _cancelled(index, config, suggestion, "cancelled: the time budget ended before it started")
            emit("run_failed", {"run_index": index, "status": out.status, "error": out.error_message})
            return out, False
        return run_one(sandboxes.open, repo, ref, suggestion, config, index=index, agent=agent,
                       deadline=deadline, cancel=cancel, emit=emit, settings=settings, baseline=baseline)

    baseline = _baseline(sandboxes.open, repo, ref, deadline, emit)
    pool = ThreadPoolExecutor(max_workers=max(1, max_parallel), thread_name_prefix="solve-run")
    runs = _Runs(task, dict(enumerate(matrix)), pool, emit, cancel)
    try:
        runs.collect_until(deadline)
        if runs.pending:
            cancel.set()
            sandboxes.stop_all()  # unblocks runs waiting on a command, so they report within the grace
            runs.cancel_the_rest(suggestion)
    finally:
        cancel.set()
        pool.shutdown(wait=False, cancel_futures=True)
        if runs.pending:  # runs that outlived the grace (or an error here): nothing of theirs may stay behind
            sandboxes.stop_all()
    ordered = [runs.done[i] for i in sorted(runs.done)]
    mark_duplicates(ordered)
    index, reason = choose_champion(ordered)
    return SolveOutcome(runs=ordered, champion_index=index, champion_reason=reason, suggestion=suggestion,
                        matrix=list(matrix), events=events.so_far(), seconds=time.monotonic() - started)


_Task = Callable[[int, RunConfig], tuple[RunOutcome, bool]]


class _Runs:
    """The matrix's runs in the pool: collected as they finish, a run whose failure may pass (a sandbox
    that could not be made) tried once more, and those still running when the budget ends cancelled."""

    def __init__(self, task: _Task, configs: dict[int, RunConfig], pool: ThreadPoolExecutor, emit: Emit,
                 cancel: threading.Event) -> None:
        self.task, self.configs, self.pool, self.emit, self.cancel = task, configs, pool, emit, cancel
        self.done: dict[int, RunOutcome] = {}
        self.retried: set[int] = set()
        self.pending: dict[Future, int] = {pool.submit(task, i, c): i for i, c in configs.items()}

    def collect_until(self, deadline: float) -> None:
        while self.pending:
            done, _ = wait(self.pending, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED)
            if not done:
                return  # the budget ended
            for future in done:
                self._finished(self.pending.pop(future), future)

    def _finished(self, index: int, future: Future) -> None:
        try:
            outcome, retryable = future.result()
        except Exception as exc:  # a bug in a run is that run's failure, not the solve's
            log.exception("run %d crashed", index)
            outcome, retryable = RunOutcome(index=index, config=self.configs[index], status="failed",
                                            error_message=f"internal error: {type(exc).__name__}: {exc}"), False
        self.done[index] = outcome
        if retryable and outcome.retry_of is None and index not in self.retried and not self.cancel.is_set():
            self.retried.add(index)
            new = len(self.configs)
            self.configs[new] = self.configs[index]
            self.emit("run_retry", {"run_index": new, "parent_index": index, "reason": outcome.error_message})
            self.pending[self.pool.submit(_retry, self.task, new, self.configs[new], index)] = new

    def cancel_the_rest(self, suggestion: SuggestionSpec) -> None:
        """After the budget: what finishes within the grace counts, the rest is recorded as cancelled."""
        finished, _ = wait(self.pending, timeout=CANCEL_GRACE_S)
        for future in finished:
            index = self.pending.pop(future)
            if future.exception() is None:
                self.done[index] = future.result()[0]
        for index in set(self.configs) - set(self.done):
            self.done[index] = _cancelled(index, self.configs[index], suggestion,
                                          "cancelled: the time budget ended and the run did not stop in time")
            self.emit("run_failed", {"run_index": index, "status": "cancelled", "error": self.done[index].error_message})


def _baseline(open_sandbox: Callable[..., Sandbox], repo: str, ref: str | None, deadline: float,
              emit: Emit) -> TestOutcomes | None:
    """The app's own tests on the unchanged app, once per solve: the tests each run must keep passing.
    None when the app has no tests or the control could not be tested (each run then needs a green suite)."""
    if time.monotonic() >= deadline:
        return None  # no budget left: the runs will be cancelled before they start anyway
    try:
        with open_sandbox(repo, ref) as sandbox:
            command = sandbox.app.test
            if not command:
                return None
            _, outcomes = run_suite(sandbox, command, getattr(sandbox.app, "test_report", None),
                                    max(1.0, deadline - time.monotonic()), dict(sandbox.app.env) or None)
    except SandboxError as exc:
        log.warning("the control's tests could not be run: %s", exc)
        emit("checkpoint", {"after": "baseline", "error": str(exc)[:300]})
        return None
    per_test = outcomes.per_test
    emit("checkpoint", {"after": "baseline", "suite_passed": outcomes.suite_passed,
                        "tests": None if per_test is None else len(per_test), "failing": outcomes.failing[:20]})
    return outcomes


def _retry(task: _Task, index: int, config: RunConfig, parent: int) -> tuple[RunOutcome, bool]:
    outcome, retryable = task(index, config)
    outcome.retry_of = parent
    return outcome, retryable
