"""One simulated-user session: a clean browser context, a persona, a task, and everything measured on the way."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request

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
from db.ids import new_id
from db.settings import get_settings


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
) -> SessionResult:
    settings = get_settings().browser
    started = datetime.now(UTC)
    rng = random.Random(seed)
    persona = Persona.make(persona_name, rng, settings.max_steps)
    # Its id is the browser session row's: the screenshots' folder is found, and pruned, by it.
    session_id = new_id("browser_session")
    shots_dir = artifacts_dir / session_id if settings.screenshots else None
    if shots_dir is not None:
        shots_dir.mkdir(parents=True, exist_ok=True)
    tab = await tabs.acquire(base_url, headers)
    context, page = tab.context, tab.page
    blocked: list[str] = []
    console: list[str] = []
    failed: list[str] = []
    logs: list[str] = []

    def on_failed(request: Request) -> None:
        if is_blocked(request.failure):
            blocked.append(request.url)
        else:
            failed.append(f"{request.url} ({request.failure})")

    # The tab outlives this session (it is reused): its listeners are removed when the session ends.
    seen_errors: set[tuple[str, str]] = set()

    def on_console_error(text: str) -> None:
        # The guard's own refusals are not the site's errors (they are listed as blocked requests),
        # and the same error on the same page, loaded again, is one error.
        if is_blocked(text) or (text, page.url) in seen_errors:
            return
        seen_errors.add((text, page.url))
        console.append(text)

    listeners: list[tuple[str, Callable[[Any], Any]]] = [
        ("console", lambda m: m.type == "error" and on_console_error(m.text)),
        ("pageerror", lambda e: on_console_error(str(e))),
        ("requestfailed", on_failed),
        ("response", lambda r: r.status >= 400 and failed.append(f"{r.url} (HTTP {r.status})")),
    ]
    for event, handler in listeners:
        page.on(event, handler)
    if tab.reused:
        logs.append("browser tab reused: the previous session's storage and history were cleared")
    actor = Actor(
        context,
        page,
        base_url,
        cache,
        shots_dir,
        settings.accessibility,
        settings.ready_timeout_s,
        tab.open,
        headers,
    )
    error = None
    cause = FailureCause.USER
    try:
        outcome = await asyncio.wait_for(_attempt(actor, flow, persona, rng), settings.session_timeout_s)
    except TimeoutError:
        outcome = Outcome(False, "timed out")
        error = f"timed out after {settings.session_timeout_s:g}s"
    except SiteNotReady as exc:
        # The user never had a page to act on: the site's failure, whatever the task.
        blocker = exc.readiness.blocker
        outcome = Outcome(
            False, str(exc), [f"still loading after {exc.timeout_s:g} s at {page.url}: {blocker}"]
        )
        error, cause = f"site not ready: {blocker}", FailureCause.SITE_NOT_READY
    except SiteError as exc:
        outcome, error, cause = Outcome(False, str(exc)), f"site error: {exc}", FailureCause.SITE_ERROR
    except Exception as exc:  # noqa: BLE001 - a broken page ends this session, not the panel
        outcome = Outcome(False, f"the session broke: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        error = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, PlaywrightError) and "net::ERR_" in str(exc) and not is_blocked(str(exc)):
            cause = FailureCause.SITE_ERROR  # the site stopped answering (refused, reset, empty reply)
    # The user's time ends with the task: the closing screenshot and link checks are the panel's.
    duration_ms = actor.elapsed_ms()
    try:
        await actor.finish(outcome.success, duration_ms)
        await actor.check_links()
    finally:
        for event, handler in listeners:
            page.remove_listener(event, handler)
        actor.detach()
        await tabs.release(tab, reusable=error is None)
    logs += [f"{a['t_ms']:>8.1f}ms {a['type']:<12} {a['target']}  @ {a['url']}" for a in actor.actions]
    logs += actor.notes + [f"blocked off-origin request: {u}" for u in blocked]
    violations = actor.violations()
    issues = list(outcome.issues)
    if blocked:
        issues.append(f"blocked {len(blocked)} request(s) leaving the site's origin, e.g. {blocked[0]}")
    return SessionResult(
        id=session_id,
        variant_key=variant_key,
        flow_name=flow.name,
        flow_order=flow.order,
        persona=persona_name,
        seed=seed,
        task_prompt=task_prompt(flow),
        success=outcome.success,
        failure_cause=FailureCause.NONE if outcome.success else cause,
        n_actions=actor.n_actions,
        duration_ms=duration_ms,
        pages_visited=actor.visited,
        backtracks=actor.backtracks,
        dead_ends=actor.dead_ends,
        action_log=actor.actions,
        screenshots=actor.screenshots,
        console_errors=console,
        failed_requests=failed + [f"{u} (blocked: outside origin)" for u in blocked],
        broken_links=actor.broken_links,
        broken_images=actor.broken_images,
        time_to_ready_ms=actor.time_to_ready_ms,
        lcp_ms=actor.lcp_ms,
        cls=actor.cls,
        a11y_violations=len(violations),
        a11y_details=violations,
        summary=outcome.reason,
        insights=_insights(actor),
        issues=issues,
        raw_logs="\n".join(logs),
        error=error,
        started_at=started,
        completed_at=datetime.now(UTC),
    )


def _insights(actor: Actor) -> list[str]:
    """How the session went about its task, in the words an analyst reads."""
    kinds = [a["type"] for a in actor.actions]
    out = []
    if "fill" in kinds and "submit" not in kinds:
        out.append("typed into the site's search box")
    if {"select", "filter", "category"} & set(kinds):
        out.append("used the site's category navigation")
    if kinds.count("next"):
        out.append(f"paged through {kinds.count('next')} listing page(s)")
    if kinds.count("submit") > 1:
        out.append(f"submitted the form {kinds.count('submit')} times")
    if actor.backtracks:
        out.append(f"went back to an already visited page {actor.backtracks} time(s)")
    return out
