"""Benchmark the code agents: a recipe run end to end, and the tool-use loop's own per-step cost.

The tool-loop figure uses a scripted in-process provider that answers instantly, so what is left
is the loop itself (prompt building, action dispatch, sandbox file I/O, trajectory), model excluded.
"""

from __future__ import annotations

import statistics
import threading
import time
from functools import partial
from itertools import cycle
from pathlib import Path

from agents.code.outcome import RunConfig
from agents.code.runner import run_one
from agents.code.tool_agent import AgentAction, run_tool_agent
from agents.llm.base import LLMResult, ModelSpec
from agents.schemas import SuggestionSpec
from settings import get_settings

SHOP = str(Path(__file__).resolve().parents[2] / "examples" / "shop")


class _ScriptedProvider:
    """Answers each code_agent_step with the next scripted action, at once."""

    def __init__(self, actions: list[AgentAction]) -> None:
        self._actions = cycle(actions)

    def complete(self, *, task: str, prompt: str, schema: type, context: dict | None = None,
                 system: str | None = None, temperature: float = 0.0, max_tokens: int = 4096) -> LLMResult:
        return LLMResult(value=next(self._actions), input_tokens=len(prompt) // 4, output_tokens=20,
                         latency_ms=0.0, cost_usd=0.0, cached=False, provider="scripted", model="scripted")


def _recipe_seconds(repeats: int) -> tuple[list[float], bool]:
    from agents.sandbox.factory import open_sandbox

    config = RunConfig(ModelSpec("offline", "offline-recipe"), 0.0)
    suggestion = SuggestionSpec(title="Add a search box", rationale="bench", recipe="search")
    times, all_passed = [], True
    settings = get_settings()
    sandboxes = partial(open_sandbox, sandbox=settings.sandbox, data_dir=settings.resolved_data_dir)
    for i in range(repeats):
        start = time.perf_counter()
        out, _ = run_one(sandboxes, SHOP, None, suggestion, config, index=i, agent="recipe",
                         deadline=time.monotonic() + 120, cancel=threading.Event(), emit=lambda k, d: None,
                         settings=settings)
        times.append(time.perf_counter() - start)
        all_passed &= out.status == "completed" and out.tests_passed is True and out.goal_checks_passed is True
    return times, all_passed


def _tool_overhead_ms(steps: int) -> list[float]:
    from agents.sandbox.factory import open_sandbox

    script = [
        AgentAction(action="list_files", path="."),
        AgentAction(action="read_file", path="index.html"),
        AgentAction(action="replace_in_file", path="index.html", old="<h1>All products</h1>",
                    new="<h1>All products</h1>"),
    ]
    suggestion = SuggestionSpec(title="bench", rationale="bench")
    settings = get_settings()
    with open_sandbox(SHOP, sandbox=settings.sandbox, data_dir=settings.resolved_data_dir) as sandbox:
        result = run_tool_agent(sandbox, suggestion, _ScriptedProvider(script), max_steps=steps,
                                max_edits=steps, max_tokens=10**9, time_budget_s=120)
    return result.loop_overhead_ms


def run(quick: bool = False) -> dict:
    recipe_times, recipe_ok = _recipe_seconds(2 if quick else 5)
    overhead = _tool_overhead_ms(15 if quick else 90)
    return {
        "recipe_search_median_s": round(statistics.median(recipe_times), 3),
        "recipe_search_max_s": round(max(recipe_times), 3),
        "recipe_runs": len(recipe_times),
        "recipe_runs_all_passed": recipe_ok,
        "recipe_target_s": 1.0,
        "tool_loop_overhead_median_ms": round(statistics.median(overhead), 3),
        "tool_loop_overhead_p95_ms": round(sorted(overhead)[int(0.95 * (len(overhead) - 1))], 3),
        "tool_loop_steps": len(overhead),
        "tool_loop_target_ms": 50.0,
    }
