"""One run of a solve: a fresh sandbox, the agent, then the repo's tests, goal checks and the diff."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agents.code.checks import goal_checks
from agents.code.outcome import RunConfig, RunOutcome
from agents.code.recipe_agent import run_recipe_agent
from agents.code.recipes.registry import resolve
from agents.code.result import AgentResult, implementation_prompt
from agents.code.test_report import TestOutcomes, could_not_start, keeps_baseline, run_suite
from agents.code.testguard import runner_reports_counts, touched_tests
from agents.code.tool_agent import run_tool_agent
from agents.code.trajectory import now_iso
from agents.sandbox.base import (
    BringupFailed,
    IsolationUnavailable,
    PathEscape,
    Sandbox,
    SandboxAuthError,
    SandboxError,
)
from agents.schemas import SuggestionSpec
from settings import BrowserSettings, Settings

TAIL = 2000
# Sandbox errors a retry cannot fix: rejected credentials, a host that cannot isolate, a path
# outside the workdir, an app that does not come up. Retrying them only spends budget and, for auth,
# hammers the provider.
PERMANENT = (SandboxAuthError, IsolationUnavailable, PathEscape, BringupFailed)
Emit = Callable[[str, dict[str, Any]], None]


class _Phases:
    def __init__(self, outcome: RunOutcome, emit: Emit) -> None:
        self.outcome, self.emit, self.current = outcome, emit, None

    def enter(self, phase: str) -> None:
        self.close()
        self.current = phase
        self.outcome.phases[phase] = {"started_at": now_iso(), "completed_at": None}
        self.emit("phase_update", {"run_index": self.outcome.index, "phase": phase})

    def close(self) -> None:
        if self.current:
            self.outcome.phases[self.current]["completed_at"] = now_iso()
            self.current = None


def _agent(sandbox: Sandbox, suggestion: SuggestionSpec, config: RunConfig, agent: str,
           remaining_s: float, cancel: threading.Event, settings: Settings) -> AgentResult:
    if agent == "recipe":
        return run_recipe_agent(sandbox, suggestion, temperature=config.temperature, strategy=config.strategy,
                                static_root=sandbox.app.static_root)
    from agents.llm.factory import get_provider

    limits = settings.code
    provider = get_provider(config.model, llm=settings.llm, data_dir=settings.resolved_data_dir)
    result = run_tool_agent(
        sandbox, suggestion, provider, temperature=config.temperature,
        max_steps=limits.max_steps, max_edits=config.max_edits, max_tokens=limits.max_tokens,
        time_budget_s=remaining_s, command_timeout_s=settings.sandbox.command_timeout_s, cancel=cancel,
    )
    result.recipe = resolve(suggestion.title, suggestion.recipe)
    return result


def _build(sandbox: Sandbox, out: RunOutcome, remaining_s: float) -> bool:
    """Rebuild an app that has a build step, so its tests and the preview see the change."""
    command = getattr(sandbox.app, "build", None)
    if not command:
        return True
    env = dict(getattr(sandbox.app, "env", ()) or ())
    result = sandbox.run(command, timeout_s=max(1.0, remaining_s), env=env or None)
    if result.ok:
        return True
    out.error_message = f"the app's build ({command}) fails after the change"
    out.diagnostics = {"command": command, "exit_code": result.exit_code, "timed_out": result.timed_out,
                       "stdout_tail": result.stdout[-TAIL:], "stderr_tail": result.stderr[-TAIL:]}
    return False


def _test(sandbox: Sandbox, out: RunOutcome, remaining_s: float, baseline: TestOutcomes | None = None) -> None:
    command = sandbox.app.test
    if not command:
        out.tests_passed, out.no_tests = None, True
        out.diagnostics = {"command": None, "stdout_tail": "", "stderr_tail": "", "no_tests": True,
                           "note": "the app has no test command: the run is judged on its behavioural checks"}
        return
    touched = touched_tests(out.files_modified, command)
    if touched:
        # The verdict must come from the base commit's tests: a change to them (emptied, deleted, or a
        # new file that ends the run early) would let the change judge itself.
        out.tests_passed = False
        out.diagnostics = {"command": command, "stdout_tail": "", "stderr_tail": "", "tests_changed": touched,
                           "note": f"the change touches the app's tests ({', '.join(touched)}); "
                                   "the existing tests must stay as they are"}
        return
    env = dict(getattr(sandbox.app, "env", ()) or ())
    result, outcomes = run_suite(sandbox, command, getattr(sandbox.app, "test_report", None),
                                 max(1.0, remaining_s), env or None)
    ran = outcomes.ran
    # Kept means: every test that passed on the control still passes (tests already failing there
    # are recorded, never held against the change).
    verdict = keeps_baseline(baseline, outcomes)
    out.tests_passed = verdict.kept
    out.diagnostics = {"command": command, "exit_code": result.exit_code, "timed_out": result.timed_out,
                       "tests_ran": ran, "baseline": verdict.note, "broken_tests": verdict.broken,
                       "stdout_tail": result.stdout[-TAIL:], "stderr_tail": result.stderr[-TAIL:]}
    if could_not_start(result):
        # Tests were expected and did not run: unknown, never "no tests" (which a run may qualify without).
        out.tests_passed = None
        out.diagnostics["note"] = (f"the test command could not start (exit {result.exit_code}): "
                                   "the run cannot show it kept the app's tests")
    elif outcomes.suite_passed and ran == 0 and baseline is not None and baseline.suite_passed and baseline.ran == 0:
        # The unchanged app runs no test either (a Django app's empty tests.py, Django's detected
        # `manage.py test`, a vitest script with no test file): there is no baseline to keep, as with no
        # test command at all, so the run is judged on its behavioural checks; refusing it would refuse
        # every change to such an app.
        out.tests_passed, out.no_tests = None, True
        out.diagnostics["no_tests"] = True
        out.diagnostics["note"] = ("the app's test command runs no tests, on the control as well: "
                                   "the run is judged on its behavioural checks")
    elif outcomes.suite_passed and ran == 0:
        out.tests_passed = False
        out.diagnostics["note"] = ("the test runner found no tests" if outcomes.none_found
                                   else "the test command exited 0 but ran no tests")
    elif result.ok and ran is None and runner_reports_counts(command):
        # unittest and pytest always print a count when they finish; without one something ended the
        # process early with status 0.
        out.tests_passed = False
        out.diagnostics["note"] = ("the test command exited 0 without its runner's summary: "
                                   "no test is known to have run")


def run_one(
    open_sandbox: Callable[..., Sandbox],
    repo: str,
    ref: str | None,
    suggestion: SuggestionSpec,
    config: RunConfig,
    *,
    index: int,
    agent: str,
    deadline: float,
    cancel: threading.Event,
    emit: Emit,
    settings: Settings,
    baseline: TestOutcomes | None = None,
) -> tuple[RunOutcome, bool]:
    """(outcome, worth retrying). Failures are outcomes with reasons, never exceptions. `open_sandbox`
    takes (repo, ref) with the caller's sandbox settings and data dir already bound (run_solve's)."""
    out = RunOutcome(index=index, config=config, implementation_prompt=implementation_prompt(suggestion),
                     started_at=now_iso())
    started = time.monotonic()
    phases = _Phases(out, emit)
    emit("run_started", {"run_index": index, "model": config.model.label, "temperature": config.temperature,
                         "strategy": config.strategy, "agent": agent})
    retryable = False
    try:
        phases.enter("planning")
        with open_sandbox(repo, ref) as sandbox:
            out.sandbox_id = sandbox.id
            phases.enter("implementing")
            result = _agent(sandbox, suggestion, config, agent, deadline - time.monotonic(), cancel, settings)
            out.summary, out.code_changes, out.trajectory = result.summary, result.code_changes, result.trajectory
            out.tokens, out.cost_usd = result.tokens, result.cost_usd
            emit("checkpoint", {"run_index": index, "after": "agent", "files_modified": result.files_modified})
            if cancel.is_set() or time.monotonic() >= deadline:
                raise _Cancelled("implementing")
            phases.enter("testing")
            _verify(sandbox, out, result, agent, deadline, cancel, baseline, settings.browser)
    except _Cancelled as exc:
        out.status, out.error_message = "cancelled", f"cancelled: the solve's time budget ended during {exc}"
    except SandboxError as exc:
        retryable = _sandbox_failed(out, exc, cancel)
    finally:
        phases.close()
        out.latency_ms = (time.monotonic() - started) * 1000
        out.completed_at = now_iso()
    if out.status == "completed":
        emit("run_completed", {"run_index": index, "tests_passed": out.tests_passed,
                               "goal_checks_passed": out.goal_checks_passed, "loc_changed": out.loc_changed})
    else:
        emit("run_failed", {"run_index": index, "status": out.status, "error": out.error_message})
    return out, retryable


def _verify(sandbox: Sandbox, out: RunOutcome, result: AgentResult, agent: str, deadline: float,
            cancel: threading.Event, baseline: TestOutcomes | None, browser: BrowserSettings) -> None:
    """The testing phase: the diff, then (if the agent changed something) the build, the app's tests
    and the goal checks; `out` records each."""
    diff = sandbox.diff()
    out.diff, out.loc_changed = diff.unified_diff, diff.loc_changed
    out.files_modified, out.files_changed = list(diff.files_changed), len(diff.files_changed)
    if result.status == "completed" and not diff.files_changed:
        # An agent that submits without changing anything has not implemented the suggestion.
        result.status, result.error_message = "failed", "the agent finished without changing any file"
    if result.status != "completed":
        out.status, out.error_message = "failed", result.error_message
        out.diagnostics = {"command": f"{agent} agent", "stdout_tail": result.summary[-TAIL:],
                           "stderr_tail": (result.error_message or "")[-TAIL:]}
        return
    if not _build(sandbox, out, deadline - time.monotonic()):
        out.status = "failed"
        return
    # The goal checks (a browser on the preview) and the app's tests are independent: side by side.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="goal-checks") as pool:
        checks = pool.submit(goal_checks, sandbox, result.recipe, out.files_modified, browser)
        _test(sandbox, out, deadline - time.monotonic(), baseline)
        out.goal_checks_passed, out.goal_checks = checks.result()
    if cancel.is_set():
        raise _Cancelled("testing")
    out.status = "completed"


def _sandbox_failed(out: RunOutcome, exc: SandboxError, cancel: threading.Event) -> bool:
    """Record a sandbox error on `out`; whether a retry is worth it."""
    if cancel.is_set():
        # The solve destroyed this run's sandbox when its budget ended; the error is that.
        out.status, out.error_message = "cancelled", f"cancelled: the solve's time budget ended ({exc})"
        return False
    # Infrastructure trouble (a sandbox that would not start or broke) says nothing about the
    # change itself: one retry is worth it, unless the same thing would fail again.
    out.status, out.error_message = "failed", f"{type(exc).__name__}: {exc}"
    out.diagnostics = {"command": f"sandbox during {list(out.phases)[-1]}", "stdout_tail": "",
                       "stderr_tail": str(exc)[-TAIL:]}
    return not isinstance(exc, PERMANENT)


class _Cancelled(Exception):
    pass
