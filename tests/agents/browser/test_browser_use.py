"""browser-use 0.13 on the system Chromium, talking to a loopback server that speaks OpenAI chat completions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.browser.panel import run_panel
from agents.schemas import FlowSpec, TaskSpec
from settings import BrowserSettings, LLMSettings, Settings
from tests.agents.browser.llm_server import ScriptedLLM, index_of

pytestmark = pytest.mark.browser


def browser_use(llm_url: str) -> Settings:
    """The browser-use agent on at most six steps, its model the loopback server at `llm_url`."""
    return Settings(browser=BrowserSettings(provider="browser_use", max_steps=6),
                    llm=LLMSettings(provider="openai", model="gpt-4o-mini", openai_base_url=llm_url,
                                    openai_api_key="sk-loopback"))


def find(name: str, order: int) -> FlowSpec:
    return FlowSpec(
        name=f"find {name}",
        description="",
        instructions=f"Buy the {name}.",
        order=order,
        task=TaskSpec(kind="find_item", params={"item_name": name}),
    )


@pytest.fixture
def llm(shop_url: str) -> Iterator[ScriptedLLM]:
    server = ScriptedLLM(
        {
            # An honest agent: opens the product, clicks "Add to cart", says it is done.
            "Merino Wool Beanie": [
                lambda p: [{"navigate": {"url": shop_url + "products/merino-wool-beanie.html"}}],
                lambda p: [{"click": {"index": index_of(p, r"add to cart")}}],
                lambda p: [{"done": {"text": "Added the beanie to the cart.", "success": True}}],
            ],
            # An agent that claims success after only looking at the product.
            "Trail Running Shoes": [
                lambda p: [{"navigate": {"url": shop_url + "products/trail-running-shoes.html"}}],
                lambda p: [{"done": {"text": "Done, the shoes are in the cart.", "success": True}}],
            ],
        }
    )
    yield server
    server.close()


def test_browser_use_results_are_checked_by_us_not_taken_from_the_agent(
    llm: ScriptedLLM, shop_url: str, tmp_path: Path
) -> None:
    results = run_panel(
        {"control": shop_url},
        [find("Merino Wool Beanie", 1), find("Trail Running Shoes", 2)],
        sessions_per_flow=1,
        concurrency=2,
        artifacts_dir=tmp_path,
        settings=browser_use(llm.base_url),
    )
    honest = next(r for r in results if "Merino" in r.flow_name)
    claimed = next(r for r in results if "Trail" in r.flow_name)
    assert honest.persona == claimed.persona == "browser_use"
    assert honest.self_reported_success is True and honest.success, honest.summary
    assert [a["type"] for a in honest.action_log][-2:] == ["click", "done"]
    assert claimed.self_reported_success is True and not claimed.success
    assert claimed.summary == "'Trail Running Shoes' is not in the cart at the end"
    assert any("reported success" in i for i in claimed.issues)
    assert "Browser state" in llm.prompts[0] or "browser_state" in llm.prompts[0]  # it saw the real page
    assert all(page.startswith(shop_url) for r in results for page in r.pages_visited)


FORM_PAGE = """<!doctype html><html lang="en"><head><title>Welcome! Create your account</title></head><body><main>
<h1>Welcome! Create your account</h1><form action="done.html"><label for="e">Email</label>
<input id="e" name="email" type="email" required><button type="submit">Sign up</button></form></main></body></html>"""
DONE_PAGE = """<!doctype html><html lang="en"><head><title>Done</title></head><body><main>
<h1>Thank you, you're signed up</h1></main></body></html>"""


@pytest.fixture
def welcome_form(tmp_path: Path) -> Iterator[str]:
    from tests.agents.browser.conftest import serve

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(FORM_PAGE)
    (site / "done.html").write_text(DONE_PAGE)
    url, server = serve(site)
    yield url
    server.shutdown()


def test_a_form_counts_as_completed_only_when_the_agent_got_past_it(
    welcome_form: str, tmp_path: Path
) -> None:
    """The start page already says 'Welcome!': an agent that claims success there has done nothing."""
    server = ScriptedLLM({
        "sign-up form": [lambda p: [{"done": {"text": "Signed up.", "success": True}}]],
        "newsletter form": [
            lambda p: [{"input": {"index": index_of(p, r"email"), "text": "ada@example.com"}}],
            lambda p: [{"click": {"index": index_of(p, r"sign up")}}],
            lambda p: [{"done": {"text": "Registered.", "success": True}}],
        ],
    })
    try:
        flows = [FlowSpec(name=f"complete the {hint}", description="", instructions=f"Complete the {hint}.",
                          order=i + 1, task=TaskSpec(kind="complete_form", params={"form_hint": hint}))
                 for i, hint in enumerate(("sign-up form", "newsletter form"))]
        results = run_panel({"v": welcome_form}, flows, sessions_per_flow=1, concurrency=2, artifacts_dir=tmp_path,
                            settings=browser_use(server.base_url))
    finally:
        server.close()
    claimed = next(r for r in results if "sign-up" in r.flow_name)
    honest = next(r for r in results if "newsletter" in r.flow_name)
    assert claimed.self_reported_success is True and not claimed.success, claimed.summary
    assert "welcome wording was there all along" in claimed.summary
    assert honest.success, honest.summary
