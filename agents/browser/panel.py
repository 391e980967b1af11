"""A panel of simulated users: every flow, N sessions each, on every variant, interleaved and concurrent;
optionally in rounds, until the caller has seen enough."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from playwright.async_api import async_playwright

from agents.browser.chromium import check_reachable, launch
from agents.browser.contexts import TabPool
from agents.browser.metrics import PanelCache
from agents.browser.personas import PERSONAS
from agents.browser.results import LogRecord, SessionResult
from agents.browser.session import run_session
from agents.browser.sync import run_sync
from agents.schemas import FlowSpec, TaskSpec
from settings import BrowserSettings, Settings

# Given every result so far, how many more sessions per flow to run on every variant (0: stop).
NextRound = Callable[[list[SessionResult]], int]
# The browser-use agent's session: (variant key, url, flow, seed, session index, artifacts folder).
BrowserUseRunner = Callable[[str, str, FlowSpec, int, int, Path], Awaitable[SessionResult]]

_REQUIRED_PARAMS = {"find_item": ("item_name",), "complete_form": (), "explore": (), "journey": ("steps",)}


def validate_flows(flows: list[FlowSpec]) -> None:
    """Refuse malformed flows before a browser starts, naming the flow and what is wrong."""
    if not flows:
        raise ValueError("no flows to run")
    for flow in flows:
        if not flow.name.strip():
            raise ValueError(f"flow #{flow.order} has an empty name")
        if flow.task.kind not in _REQUIRED_PARAMS:
            raise ValueError(f"flow {flow.name!r}: unknown task kind {flow.task.kind!r}")
        for param in _REQUIRED_PARAMS[flow.task.kind]:
            if not str(flow.task.params.get(param) or "").strip():
                raise ValueError(f"flow {flow.name!r}: task {flow.task.kind} needs params.{param}")
        if flow.task.kind == "journey":  # each step is a task of its own kind, checked as one
            validate_flows([flow.model_copy(update={"task": TaskSpec(kind=step.kind, params=step.params)})
                            for step in flow.task.steps()])
        values = flow.task.params.get("values", {})
        if flow.task.kind == "complete_form" and not isinstance(values, dict):
            raise ValueError(f"flow {flow.name!r}: params.values must be a mapping of field -> value")


def session_seed(seed: int, flow_order: int, session_index: int) -> int:
    # The same (seed, flow, index) meets every variant: a paired design across variants.
    return seed * 1_000_003 + flow_order * 10_007 + session_index


def schedule(
    variant_keys: list[str], flows: list[FlowSpec], sessions_per_flow: int, start: int = 0
) -> list[tuple[str, FlowSpec, int]]:
    """Sessions start .. start + sessions_per_flow - 1 of every flow on every variant, index by index;
    variant order rotates with the index."""
    plan = []
    for index in range(start, start + sessions_per_flow):
        shift = index % len(variant_keys)
        rotated = variant_keys[shift:] + variant_keys[:shift]
        for flow in sorted(flows, key=lambda f: f.order):
            plan += [(key, flow, index) for key in rotated]
    return plan


async def run_panel_async(
    targets: dict[str, str],
    flows: list[FlowSpec],
    *,
    sessions_per_flow: int,
    seed: int = 0,
    concurrency: int = 4,
    artifacts_dir: Path,
    on_log: Callable[[LogRecord], None] | None = None,
    headers: dict[str, dict[str, str]] | None = None,
    next_round: NextRound | None = None,
    settings: Settings,
) -> list[SessionResult]:
    """Run every flow on every target; `headers` maps a target's key to headers its requests need.

    `settings` (the caller's: a stage's, the CLI's, a test's own) gives the browser section, the LLM
    section (for the browser-use agent) and the artifacts root that screenshots are recorded relative to.

    With `next_round` the panel runs in rounds: `sessions_per_flow` of every flow on every variant, then
    as many more as `next_round` asks after each round, until it asks for none. Every round is whole
    (each variant meets the same sessions), and the browser, its tabs and the cache stay up throughout.
    """
    headers = headers or {}
    _check_arguments(targets, flows, headers, sessions_per_flow, concurrency)
    for key, url in targets.items():
        check_reachable(url, headers.get(key))
    runner = _browser_use_runner(headers, settings)
    async with async_playwright() as pw:
        browser = await launch(pw, settings.browser) if runner is None else None
        tabs = TabPool(browser) if browser is not None else None
        cache = PanelCache(await pw.request.new_context() if browser is not None else None)
        panel = _Panel(targets, headers, seed, artifacts_dir, on_log or (lambda record: None),
                       asyncio.Semaphore(concurrency), runner, cache, tabs, settings.browser,
                       settings.artifacts_dir)
        try:
            results: list[SessionResult] = []
            start, count = 0, sessions_per_flow
            while count > 0:
                plan = schedule(list(targets), flows, count, start=start)
                results += await asyncio.gather(*(panel.session(*entry) for entry in plan))
                start += count
                count = next_round(list(results)) if next_round is not None else 0
                if count < 0:
                    raise ValueError(f"next_round asked for {count} sessions per flow")
            return results
        finally:
            if browser is not None and tabs is not None:
                await tabs.close()
                await browser.close()
            if cache.client is not None:
                await cache.client.dispose()


def _check_arguments(targets: dict[str, str], flows: list[FlowSpec], headers: dict[str, dict[str, str]],
                     sessions_per_flow: int, concurrency: int) -> None:
    validate_flows(flows)
    if unknown := set(headers) - set(targets):
        raise ValueError(f"headers given for unknown target(s): {', '.join(sorted(unknown))}")
    if not targets:
        raise ValueError("no variants to run")
    if sessions_per_flow < 1 or concurrency < 1:
        raise ValueError("sessions_per_flow and concurrency must be >= 1")


def _browser_use_runner(headers: dict[str, dict[str, str]], settings: Settings) -> BrowserUseRunner | None:
    """The browser-use agent's session when settings choose it; None for the simulated panel."""
    if settings.browser.provider != "browser_use":
        return None
    if any(headers.values()):
        raise ValueError(
            "the browser_use agent cannot send preview access headers; "
            "use public previews (settings.sandbox.e2b_public_previews) or the simulated panel"
        )
    from agents.browser.browser_use_agent import run_browser_use_session

    return partial(run_browser_use_session, settings=settings.browser, llm=settings.llm)


@dataclass
class _Panel:
    """What every session of one panel shares: the targets, the browser's tabs and cache, the gate."""

    targets: dict[str, str]
    headers: dict[str, dict[str, str]]
    seed: int
    artifacts_dir: Path
    emit: Callable[[LogRecord], None]
    gate: asyncio.Semaphore
    runner: BrowserUseRunner | None
    cache: PanelCache
    tabs: TabPool | None
    browser: BrowserSettings
    artifacts_root: Path  # settings.artifacts_dir: what screenshots' recorded paths are relative to

    async def session(self, key: str, flow: FlowSpec, index: int) -> SessionResult:
        persona = PERSONAS[index % len(PERSONAS)]
        seeded = session_seed(self.seed, flow.order, index)
        async with self.gate:
            self.emit(LogRecord(level="info", message=f"session started: {persona} on {flow.name}",
                                variant_key=key, flow_name=flow.name, session_index=index))
            if self.runner is not None:
                result = await self.runner(key, self.targets[key], flow, seeded, index, self.artifacts_dir)
            else:
                result = await run_session(key, self.targets[key], flow, persona, seeded, index,
                                           self.artifacts_dir, self.cache, self.tabs, self.headers.get(key),
                                           settings=self.browser, artifacts_root=self.artifacts_root)
            self.emit(LogRecord(
                level="info" if result.success else "warning",
                message=f"session {'succeeded' if result.success else 'failed'}: {result.summary}",
                variant_key=key, flow_name=flow.name, session_index=index,
                data={"n_actions": result.n_actions, "duration_ms": result.duration_ms},
            ))
            return result


def run_panel(
    targets: dict[str, str],
    flows: list[FlowSpec],
    *,
    sessions_per_flow: int,
    seed: int = 0,
    concurrency: int = 4,
    artifacts_dir: Path,
    on_log: Callable[[LogRecord], None] | None = None,
    headers: dict[str, dict[str, str]] | None = None,
    next_round: NextRound | None = None,
    settings: Settings,
) -> list[SessionResult]:
    return run_sync(
        run_panel_async(
            targets,
            flows,
            sessions_per_flow=sessions_per_flow,
            seed=seed,
            concurrency=concurrency,
            artifacts_dir=artifacts_dir,
            on_log=on_log,
            headers=headers,
            next_round=next_round,
            settings=settings,
        )
    )
