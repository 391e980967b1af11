"""One simulated-user session: a clean browser context, a persona, a task, and everything measured on the way."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Request

from agents.browser.actor import Actor, SiteError
from agents.browser.chromium import is_blocked
from agents.browser.contexts import TabPool
from agents.browser.forms import complete_form
from agents.browser.journey import run_journey
from agents.browser.metrics import PanelCache
from agents.browser.personas import Outcome, Persona, explore, find_item
from agents.browser.readiness import SiteNotReady
from agents.browser.results import FailureCause, SessionResult
from agents.schemas import FlowSpec, StepSpec, TaskSpec
from ids import new_id
from settings import BrowserSettings


def task_prompt(flow: FlowSpec) -> str:
    params = flow.task.params
    if flow.task.kind == "find_item":
        return f"Find '{params['item_name']}' and add it to the cart."
    if flow.task.kind == "complete_form":
        hint = str(params.get("form_hint") or "").replace("_", "-")  # a form purpose: sign_up, log_in, ...
        return f"Complete the {hint or 'form'} with the given details and submit it."
    if flow.task.kind == "journey":
        return " Then: ".join(task_prompt(_step_flow(flow, step)) for step in flow.task.steps())
    return f"Explore the site: visit {params.get('max_pages', 5)} pages."


def _step_flow(flow: FlowSpec, step: StepSpec) -> FlowSpec:
    return flow.model_copy(update={"task": TaskSpec(kind=step.kind, params=step.params)})


async def _attempt(actor: Actor, flow: FlowSpec, persona: Persona, rng: random.Random) -> Outcome:
    params = flow.task.params
    if flow.task.kind == "journey":
        return await run_journey(
            actor, persona, rng, flow.task, lambda step: _attempt(actor, _step_flow(flow, step), persona, rng)
        )
    if flow.task.kind == "find_item":
        return await find_item(
            actor,
            persona,
            rng,
            params["item_name"],
            params.get("category"),
            bool(params.get("add_to_cart", True)),
        )
    if flow.task.kind == "complete_form":
        return await complete_form(
            actor, persona, dict(params.get("values") or {}), str(params.get("form_hint") or "")
        )
    return await explore(actor, persona, rng, int(params.get("max_pages", 5)))


async def run_session(
    variant_key: str,
    base_url: str,
    flow: FlowSpec,
    persona_name: str,
    seed: int,
    session_index: int,
    artifacts_dir: Path,
    cache: PanelCache,
    tabs: TabPool,
    headers: dict[str, str] | None = None,
    *,
    settings: BrowserSettings,
    artifacts_root: Path,
) -> SessionResult:
    """`artifacts_root` is what the screenshots' recorded paths are relative to (settings.artifacts_dir)."""
    started = datetime.now(UTC)
    rng = random.Random(seed)
    persona = Persona.make(persona_name, rng, settings.max_steps)
    # Its id is the browser session row's: the screenshots' folder is found, and pruned, by it.
    session_id = new_id("browser_session")
    shots_dir = artifacts_dir / session_id if settings.screenshots else None
    if shots_dir is not None:
        shots_dir.mkdir(parents=True, exist_ok=True)
    tab = await tabs.acquire(base_url, headers)
    watch = _PageWatch(tab.page)
    logs = ["browser tab reused: the previous session's storage and history were cleared"] if tab.reused else []
    actor = Actor(
        tab.context,
        tab.page,
        base_url,
        cache,
        shots_dir,
        settings.accessibility,
        settings.ready_timeout_s,
        tab.open,
        headers,
        artifacts_root=artifacts_root,
    )
    ended = await _attempt_in_time(actor, flow, persona, rng, settings.session_timeout_s)
    # The user's time ends with the task: the closing screenshot and link checks are the panel's.
    duration_ms = actor.elapsed_ms()
    try:
        await actor.finish(ended.outcome.success, duration_ms)
        await actor.check_links()
    finally:
        watch.detach()
        actor.detach()
        await tabs.release(tab, reusable=ended.error is None)
    return _result(
        session_id=session_id, variant_key=variant_key, flow=flow, persona=persona_name, seed=seed,
        started=started, duration_ms=duration_ms, ended=ended, actor=actor, watch=watch, logs=logs,
    )


class _PageWatch:
    """What the page did on its own while the user worked: console errors, failed and blocked requests.

    The tab outlives the session (it is reused): `detach` removes these listeners when the session ends.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.console: list[str] = []
        self.failed: list[str] = []
        self._seen_errors: set[tuple[str, str]] = set()
        self._listeners: list[tuple[str, Callable[[Any], Any]]] = [
            ("console", lambda m: m.type == "error" and self._console_error(m.text)),
            ("pageerror", lambda e: self._console_error(str(e))),
            ("requestfailed", self._request_failed),
            ("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} (HTTP {r.status})")),
        ]
        for event, handler in self._listeners:
            page.on(event, handler)

    def detach(self) -> None:
        for event, handler in self._listeners:
            self.page.remove_listener(event, handler)

    def _request_failed(self, request: Request) -> None:
        if is_blocked(request.failure):
            self.blocked.append(request.url)
        else:
            self.failed.append(f"{request.url} ({request.failure})")

    def _console_error(self, text: str) -> None:
        # The guard's own refusals are not the site's errors (they are listed as blocked requests),
        # and the same error on the same page, loaded again, is one error.
        if is_blocked(text) or (text, self.page.url) in self._seen_errors:
            return
        self._seen_errors.add((text, self.page.url))
        self.console.append(text)


@dataclass(frozen=True)
class _Ended:
    """How the attempt ended: the user's outcome, the session's error (None if it ran to its end), and
    whose failure it is."""

    outcome: Outcome
    error: str | None = None
    cause: FailureCause = FailureCause.USER


async def _attempt_in_time(
    actor: Actor, flow: FlowSpec, persona: Persona, rng: random.Random, timeout_s: float
) -> _Ended:
    try:
        return _Ended(await asyncio.wait_for(_attempt(actor, flow, persona, rng), timeout_s))
    except TimeoutError:
        return _Ended(Outcome(False, "timed out"), f"timed out after {timeout_s:g}s")
    except SiteNotReady as exc:
        # The user never had a page to act on: the site's failure, whatever the task.
        blocker = exc.readiness.blocker
        outcome = Outcome(
            False, str(exc), [f"still loading after {exc.timeout_s:g} s at {actor.page.url}: {blocker}"]
        )
        return _Ended(outcome, f"site not ready: {blocker}", FailureCause.SITE_NOT_READY)
    except SiteError as exc:
        return _Ended(Outcome(False, str(exc)), f"site error: {exc}", FailureCause.SITE_ERROR)
    except Exception as exc:  # noqa: BLE001 - a broken page ends this session, not the panel
        outcome = Outcome(False, f"the session broke: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        if isinstance(exc, PlaywrightError) and "net::ERR_" in str(exc) and not is_blocked(str(exc)):
            # The site stopped answering (refused, reset, empty reply).
            return _Ended(outcome, f"{type(exc).__name__}: {exc}", FailureCause.SITE_ERROR)
        return _Ended(outcome, f"{type(exc).__name__}: {exc}")


def _result(
    *,
    session_id: str,
    variant_key: str,
    flow: FlowSpec,
    persona: str,
    seed: int,
    started: datetime,
    duration_ms: float,
    ended: _Ended,
    actor: Actor,
    watch: _PageWatch,
    logs: list[str],
) -> SessionResult:
    logs = logs + [f"{a['t_ms']:>8.1f}ms {a['type']:<12} {a['target']}  @ {a['url']}" for a in actor.actions]
    logs += actor.notes + [f"blocked off-origin request: {u}" for u in watch.blocked]
    violations = actor.violations()
    issues = list(ended.outcome.issues)
    if watch.blocked:
        issues.append(f"blocked {len(watch.blocked)} request(s) leaving the site's origin, e.g. {watch.blocked[0]}")
    return SessionResult(
        id=session_id,
        variant_key=variant_key,
        flow_name=flow.name,
        flow_order=flow.order,
        persona=persona,
        seed=seed,
        task_prompt=task_prompt(flow),
        success=ended.outcome.success,
        failure_cause=FailureCause.NONE if ended.outcome.success else ended.cause,
        n_actions=actor.n_actions,
        duration_ms=duration_ms,
        pages_visited=actor.visited,
        backtracks=actor.backtracks,
        dead_ends=actor.dead_ends,
        action_log=actor.actions,
        screenshots=actor.screenshots,
        console_errors=watch.console,
        failed_requests=watch.failed + [f"{u} (blocked: outside origin)" for u in watch.blocked],
        broken_links=actor.broken_links,
        broken_images=actor.broken_images,
        time_to_ready_ms=actor.time_to_ready_ms,
        lcp_ms=actor.lcp_ms,
        cls=actor.cls,
        a11y_violations=len(violations),
        a11y_details=violations,
        summary=ended.outcome.reason,
        insights=_insights(actor, flow.task.kind),
        issues=issues,
        raw_logs="\n".join(logs),
        error=ended.error,
        started_at=started,
        completed_at=datetime.now(UTC),
    )


def _insights(actor: Actor, task: str) -> list[str]:
    """How the session went about its task, in the words an analyst reads."""
    kinds = [a["type"] for a in actor.actions]
    out = []
    if task in ("find_item", "journey") and "fill" in kinds and "submit" not in kinds:
        out.append("typed into the site's search box")  # what a finder types into without submitting a form
    if {"select", "filter", "category"} & set(kinds):
        out.append("used the site's category navigation")
    if kinds.count("next"):
        out.append(f"paged through {kinds.count('next')} listing page(s)")
    if kinds.count("submit") > 1:
        out.append(f"submitted the form {kinds.count('submit')} times")
    if actor.backtracks:
        out.append(f"went back to an already visited page {actor.backtracks} time(s)")
    return out
