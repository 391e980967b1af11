"""The LLM-driven browser agent: the same flows run by browser-use 0.13 on the system Chromium.

The model's own verdict (`self_reported_success`) is kept apart from `success`, which we decide by
looking at the final browser state ourselves (cart contents, success page, pages reached).
"""

from __future__ import annotations

import asyncio
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Page, async_playwright

from agents.browser.actor import page_key
from agents.browser.chromium import CHROMIUM_ARGS, chromium_path, origin_of
from agents.browser.forms import SUCCESS_TEXT
from agents.browser.page_view import PageView, normalise, read_view
from agents.browser.results import SessionResult
from agents.browser.session import task_prompt
from agents.schemas import FlowSpec
from settings import BrowserSettings, LLMSettings

PERSONA = "browser_use"


def _quiet_browser_use() -> None:
    # browser-use reads these when it runs: no telemetry, no cloud sync, no extension downloads.
    os.environ["ANONYMIZED_TELEMETRY"] = "false"
    os.environ["BROWSER_USE_CLOUD_SYNC"] = "false"
    os.environ["BROWSER_USE_DISABLE_EXTENSIONS"] = "1"


def make_llm(settings: LLMSettings) -> Any:
    """The chat model browser-use talks to, from settings.llm (base_url lets it point at any endpoint)."""
    if settings.provider == "anthropic":
        from browser_use.llm import ChatAnthropic

        key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else None
        return ChatAnthropic(
            model=settings.model,
            api_key=key,
            base_url=settings.anthropic_base_url,
            max_retries=settings.max_retries,
            timeout=settings.timeout_s,
        )
    if settings.provider == "openai":
        from browser_use.llm import ChatOpenAI

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return ChatOpenAI(
            model=settings.model,
            api_key=key,
            base_url=settings.openai_base_url,
            max_retries=settings.max_retries,
            timeout=settings.timeout_s,
        )
    raise ValueError(
        "the browser_use agent needs settings.llm.provider 'anthropic' or 'openai' (offline has no model)"
    )


async def run_browser_use_session(
    variant_key: str, base_url: str, flow: FlowSpec, seed: int, session_index: int, artifacts_dir: Path,
    *, settings: BrowserSettings, llm: LLMSettings,
) -> SessionResult:
    _quiet_browser_use()
    started = datetime.now(UTC)
    browser = _browser(base_url, settings)
    agent = _agent(browser, base_url, flow, llm)
    error = None
    history = None
    try:
        history = await asyncio.wait_for(agent.run(max_steps=settings.max_steps), settings.session_timeout_s)
    except TimeoutError:
        error = f"timed out after {settings.session_timeout_s:g}s"
    except Exception as exc:  # noqa: BLE001 - the model or the browser failed: this session fails, not the panel
        error = f"{type(exc).__name__}: {exc}"
    try:
        success, reason, pages = await _check(browser, base_url, flow)
    except Exception as exc:  # noqa: BLE001 - no browser state left to check: the task cannot be confirmed
        success, reason, pages = False, f"could not inspect the final page: {exc}", []
    finally:
        await agent.close()
        await browser.kill()
    actions = _actions(history)
    urls = [u for u in (history.urls() if history else []) if u]
    visited = list(dict.fromkeys(u.split("#")[0] for u in urls + pages if u.startswith(origin_of(base_url))))
    claimed = history.is_successful() if history else None
    if error:
        reason = "timed out" if error.startswith("timed out") else f"the agent failed: {error}"
    return SessionResult(
        variant_key=variant_key,
        flow_name=flow.name,
        flow_order=flow.order,
        persona=PERSONA,
        seed=seed,
        task_prompt=task_prompt(flow),
        success=success and error is None,
        self_reported_success=claimed,
        n_actions=len(actions),
        duration_ms=(datetime.now(UTC) - started).total_seconds() * 1000,
        pages_visited=visited,
        action_log=actions,
        summary=reason,
        issues=[f"the agent reported success but our check says: {reason}"]
        if claimed and not success
        else [],
        raw_logs="\n".join(str(e) for e in (history.errors() if history else []) if e),
        error=error,
        started_at=started,
        completed_at=datetime.now(UTC),
    )


def _browser(base_url: str, settings: BrowserSettings) -> Any:
    """The agent's own headless Chromium, allowed onto the variant's host only."""
    from browser_use import BrowserProfile, BrowserSession

    host = urlsplit(base_url).netloc
    profile = BrowserProfile(
        executable_path=chromium_path(settings),
        headless=True,
        enable_default_extensions=False,
        args=CHROMIUM_ARGS,
        chromium_sandbox=False,
        keep_alive=True,
        user_data_dir=None,
        allowed_domains=[f"http://{host}"],
        minimum_wait_page_load_time=0.05,
        wait_for_network_idle_page_load_time=0.1,
        wait_between_actions=0.05,
    )
    return BrowserSession(browser_profile=profile)


def _agent(browser: Any, base_url: str, flow: FlowSpec, llm: LLMSettings) -> Any:
    from browser_use import Agent

    task = f"{flow.instructions}\n\nTask: {task_prompt(flow)}\nStart at {base_url} and stay on that site."
    return Agent(
        task=task,
        llm=make_llm(llm),
        browser_session=browser,
        use_vision=False,
        use_judge=False,
        initial_actions=[{"navigate": {"url": base_url}}],
        max_failures=2,
        max_actions_per_step=3,
        calculate_cost=False,
        generate_gif=False,
    )


def _actions(history: Any) -> list[dict[str, Any]]:
    if history is None:
        return []
    out = []
    for step, item in enumerate(history.history):
        for action in item.model_output.action if item.model_output else []:
            dumped = action.model_dump(exclude_none=True)
            for kind, params in dumped.items():
                out.append(
                    {
                        "type": kind,
                        "target": str(params)[:120],
                        "url": item.state.url,
                        "t_ms": None,
                        "step": step,
                    }
                )
    return out


async def _check(browser: Any, base_url: str, flow: FlowSpec) -> tuple[bool, str, list[str]]:
    """Our own verdict from the final browser state, read through Playwright over CDP."""
    async with async_playwright() as pw:
        remote = await pw.chromium.connect_over_cdp(browser.cdp_url)
        context = remote.contexts[0]
        pages = [p for p in context.pages if p.url.startswith(origin_of(base_url))]
        final = pages[-1] if pages else None
        # A journey is done when its last step is: judge the final state as that step's.
        task = flow.task.steps()[-1] if flow.task.kind == "journey" and flow.task.steps() else flow.task
        params = task.params
        if task.kind == "find_item":
            name = params["item_name"]
            held = await _cart_holds(context, base_url, name)
            reason = f"the cart holds '{name}'" if held else f"'{name}' is not in the cart at the end"
            return held, reason, [p.url for p in pages]
        if final is None:
            return False, "the agent left no page of the site open", []
        view = await read_view(final)
        if task.kind == "complete_form":
            shown = bool(SUCCESS_TEXT.search(_wording(view)))
            # Success wording the site's first page already shows ("Welcome! Create your account")
            # proves nothing unless the agent got somewhere else or the form is gone.
            start = await _view_of(context, base_url)
            moved_on = page_key(final.url) != page_key(base_url) or not view.inputs
            done = shown and (moved_on or not SUCCESS_TEXT.search(_wording(start)))
            if done:
                return True, "reached a success page", [final.url]
            if shown:
                return False, f"the form is still there on {final.url}: its welcome wording was there all along", [
                    final.url]
            return False, f"no success page: ended on {final.url}", [final.url]
        return True, f"ended on {final.url}", [final.url]


def _wording(view: PageView) -> str:
    return " ".join(view.headings + [view.title] + view.alerts)


async def _view_of(context: Any, url: str) -> PageView:
    """The page as a first-time visitor sees it, in a tab of the agent's own context."""
    page: Page = await context.new_page()
    try:
        await page.goto(url, wait_until="load")
        return await read_view(page)
    finally:
        await page.close()


async def _cart_holds(context: Any, base_url: str, name: str) -> bool:
    page: Page = await context.new_page()
    try:
        await page.goto(base_url, wait_until="load")
        cart = (await read_view(page)).link(r"\b(cart|basket|bag)\b")
        if cart is None:
            return False
        await page.goto(cart.href, wait_until="load")
        text = (await read_view(page)).text
        return bool(re.search(rf"\b{re.escape(normalise(name))}\b", normalise(text)))
    finally:
        await page.close()
