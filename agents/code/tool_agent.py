"""The tool-use code agent: an LLM picks one action per step; we run it in the sandbox and report back.

Modelled on mini-swe-agent's loop (query -> execute -> observe, until submit or a limit), with
structured actions instead of shell-only ones so edits are exact and countable. Errors the model
can fix (a path outside the workdir, a missing file, an ambiguous replace) become observations; the
loop only ends on submit, a limit, cancellation, or a provider error.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from agents.code.result import AgentResult, implementation_prompt
from agents.code.trajectory import Trajectory
from agents.llm.base import LLMError, LLMProvider
from agents.sandbox.base import Sandbox, SandboxError
from agents.schemas import SuggestionSpec

SYSTEM = (
    "You are a careful front-end engineer working in a sandboxed checkout of a web app. "
    "Each turn, answer with exactly one action: list_files(path), read_file(path), write_file(path, content), "
    "replace_in_file(path, old, new) where old must occur exactly once, run(command) for a shell command in the "
    "repo, or submit(summary) when the change is complete and the tests pass. Paths are relative to the repo root."
)
OBSERVATION_CAP = 4000
HISTORY_STEPS = 12
EDITS = ("write_file", "replace_in_file")


class AgentAction(BaseModel):
    """One step of the code agent: exactly one action and its arguments."""

    thought: str = Field("", description="why this action, briefly")
    action: Literal["list_files", "read_file", "write_file", "replace_in_file", "run", "submit"]
    path: str | None = None
    content: str | None = None
    old: str | None = None
    new: str | None = None
    command: str | None = None
    summary: str | None = Field(None, description="for submit: what was changed")


def _execute(sandbox: Sandbox, act: AgentAction, changes: dict[str, list[str]], timeout_s: float) -> str:
    """Run one action; raise ValueError/SandboxError/OSError for errors the model should see."""
    if act.action == "list_files":
        return "\n".join(sandbox.list_files(act.path or ".")) or "(no files)"
    if act.action == "run":
        if not act.command:
            raise ValueError("run needs a command")
        result = sandbox.run(act.command, timeout_s=timeout_s)
        return f"exit code {result.exit_code}\nstdout:\n{result.stdout[-2000:]}\nstderr:\n{result.stderr[-2000:]}"
    if not act.path:
        raise ValueError(f"{act.action} needs a path")
    if act.action == "read_file":
        return sandbox.read_file(act.path)
    if act.action == "write_file":
        sandbox.write_file(act.path, act.content or "")
        changes.setdefault(act.path, []).append(act.thought or "rewrote the file")
        return f"wrote {len(act.content or '')} characters to {act.path}"
    # replace_in_file
    if not act.old:
        raise ValueError("replace_in_file needs old (the exact text to replace)")
    text = sandbox.read_file(act.path)
    count = text.count(act.old)
    if count != 1:
        raise ValueError(f"old text occurs {count} times in {act.path}; it must occur exactly once")
    sandbox.write_file(act.path, text.replace(act.old, act.new or "", 1))
    changes.setdefault(act.path, []).append(act.thought or "replaced a passage")
    return f"replaced 1 occurrence in {act.path}"


def _prompt(task: str, history: list[str], left: dict[str, int]) -> str:
    shown = history[-HISTORY_STEPS:]
    skipped = len(history) - len(shown)
    parts = [task, f"Limits left: {left['steps']} steps, {left['edits']} edits."]
    if skipped:
        parts.append(f"({skipped} earlier steps omitted)")
    parts.extend(shown)
    return "\n\n".join(parts)


def app_context(sandbox: Sandbox, suggestion: SuggestionSpec) -> str:
    """Where the offline agent starts from, said to the model too: how the app is built and served,
    which file every page is rendered through, and what a user must be able to do afterwards (the
    behavioural check the run is judged by)."""
    from agents.code.behaviour import BEHAVIOURS
    from agents.code.recipes.registry import resolve
    from agents.code.shell import find_shell
    from agents.sandbox.base import describe_plan, plan_as_dict

    lines = [f"The app: {describe_plan(plan_as_dict(sandbox.app))}."]
    try:
        shell = find_shell(sandbox, sandbox.app.static_root)
    except Exception as exc:  # noqa: BLE001 - context for the model, never a reason to fail the run
        lines.append(f"No single document shell was found ({exc}).")
    else:
        lines.append(f"Every page is rendered through: {', '.join(shell.documents[:5])} ({shell.kind}; "
                     f"{shell.evidence}); new static files go in {shell.asset_dir}/.")
    recipe = resolve(suggestion.title, suggestion.recipe)
    if recipe in BEHAVIOURS:
        lines.append(f"Afterwards a user in a browser must be able to {BEHAVIOURS[recipe]}; this is checked "
                     "on the running app, so markup alone does not pass.")
    if getattr(sandbox.app, "build", None):
        lines.append(f"The app is rebuilt with `{sandbox.app.build}` before it is served and tested.")
    return "\n".join(lines)


@dataclass(frozen=True)
class _Limits:
    max_steps: int
    max_edits: int
    max_tokens: int
    time_budget_s: float
    command_timeout_s: float


@dataclass
class _Loop:
    """What one run of the loop has done and spent so far."""

    deadline: float
    trajectory: Trajectory = field(default_factory=Trajectory)
    history: list[str] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)
    tokens: int = 0
    cost: float = 0.0
    model_ms: float = 0.0
    edits: int = 0
    overhead: list[float] = field(default_factory=list)  # ms per step outside the model

    def finish(self, status: str, exit_status: str, summary: str, error: str | None = None) -> AgentResult:
        self.trajectory.exit_status = exit_status
        return AgentResult(
            status, summary, error_message=error, trajectory=self.trajectory.as_dict(),
            code_changes=[{"file": f, "changes": "; ".join(d)} for f, d in sorted(self.changes.items())],
            tokens=self.tokens, cost_usd=self.cost, model_latency_ms=self.model_ms, loop_overhead_ms=self.overhead,
        )


def run_tool_agent(
    sandbox: Sandbox,
    suggestion: SuggestionSpec,
    provider: LLMProvider,
    *,
    temperature: float = 0.0,
    max_steps: int = 30,
    max_edits: int = 20,
    max_tokens: int = 200_000,
    time_budget_s: float = 300.0,
    command_timeout_s: float = 120.0,
    cancel: threading.Event | None = None,
) -> AgentResult:
    task = implementation_prompt(suggestion) + "\n" + app_context(sandbox, suggestion)
    limits = _Limits(max_steps, max_edits, max_tokens, time_budget_s, command_timeout_s)
    loop = _Loop(deadline=time.monotonic() + time_budget_s)
    for step in range(max_steps):
        if (stopped := _stopped_before(loop, step, limits, cancel)) is not None:
            return stopped
        step_start = time.perf_counter()
        prompt = _prompt(task, loop.history, {"steps": max_steps - step, "edits": max_edits - loop.edits})
        asked = time.perf_counter()
        try:
            answer = provider.complete(
                task="code_agent_step", prompt=prompt, schema=AgentAction, system=SYSTEM,
                context={"suggestion": suggestion.model_dump(), "step": step,
                         "history": loop.history[-HISTORY_STEPS:]},
                temperature=temperature,
            )
        except LLMError as exc:
            return loop.finish("failed", "model_error", f"the model failed at step {step + 1}",
                               f"{type(exc).__name__}: {exc}")
        in_model = time.perf_counter() - asked
        loop.tokens += answer.input_tokens + answer.output_tokens
        loop.cost += answer.cost_usd
        loop.model_ms += answer.latency_ms
        act = answer.value
        if act.action == "submit":
            loop.trajectory.record("submit", None, thought=act.thought)
            loop.overhead.append((time.perf_counter() - step_start - in_model) * 1000)
            return loop.finish("completed", "submitted", act.summary or act.thought or "submitted")
        if (stopped := _act(sandbox, act, loop, step, limits)) is not None:
            return stopped
        loop.overhead.append((time.perf_counter() - step_start - in_model) * 1000)
    return loop.finish("failed", "limits_exceeded", f"no submit within {max_steps} steps",
                       f"limits exceeded: step limit of {max_steps} reached without submit")


def _stopped_before(loop: _Loop, step: int, limits: _Limits, cancel: threading.Event | None) -> AgentResult | None:
    """The run's end before step `step` is asked for: cancelled, or out of time or tokens."""
    if cancel is not None and cancel.is_set():
        return loop.finish("failed", "cancelled", "cancelled before submitting", "cancelled: time budget ended")
    if time.monotonic() > loop.deadline:
        limit = f"time budget of {limits.time_budget_s:.0f}s used up"
    elif loop.tokens > limits.max_tokens:
        limit = f"token limit of {limits.max_tokens} exceeded ({loop.tokens} used)"
    else:
        return None
    return loop.finish("failed", "limits_exceeded", f"stopped after {step} steps", f"limits exceeded: {limit}")


def _act(sandbox: Sandbox, act: AgentAction, loop: _Loop, step: int, limits: _Limits) -> AgentResult | None:
    """Run an action that is not submit and note what it showed; the run's end when a limit forbids it."""
    if act.action in EDITS:
        if loop.edits >= limits.max_edits:
            loop.trajectory.record(act.action, act.path, refused="edit limit")
            return loop.finish("failed", "limits_exceeded", f"stopped after {step + 1} steps",
                               f"limits exceeded: edit limit of {limits.max_edits} reached")
        loop.edits += 1
    # A command gets its own timeout or what is left of the budget, whichever is shorter: the
    # sandbox's default would let one `sleep` outlast the whole solve.
    left = loop.deadline - time.monotonic()
    if left <= 0:
        return loop.finish("failed", "limits_exceeded", f"stopped after {step + 1} steps",
                           f"limits exceeded: time budget of {limits.time_budget_s:.0f}s used up")
    try:
        observation = _execute(sandbox, act, loop.changes, min(limits.command_timeout_s, left))
        loop.trajectory.record(_trajectory_action(act.action), act.path or act.command)
    except (SandboxError, OSError, ValueError, UnicodeDecodeError) as exc:
        # Reported back to the model as an observation: it can correct itself.
        observation = f"Error: {type(exc).__name__}: {exc}"
        loop.trajectory.record(_trajectory_action(act.action), act.path or act.command, error=str(exc))
    loop.history.append(
        f"Step {step + 1} action: {act.model_dump_json(exclude_none=True)}\n"
        f"Observation: {observation[:OBSERVATION_CAP]}"
    )
    return None


def _trajectory_action(action: str) -> str:
    """A trajectory names every edit edit_file, as stored trajectories always have; the finer name
    stays in the tool call itself."""
    return "edit_file" if action == "replace_in_file" else action
