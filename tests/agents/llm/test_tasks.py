"""The task functions: prompts real models receive, and the post-processing every provider gets."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from agents.llm.anthropic_provider import AnthropicProvider
from agents.llm.base import ModelSpec
from agents.llm.factory import get_provider
from agents.llm.tasks import derive_flows, suggest_changes
from agents.schemas import ItemInfo, ListingInfo, ScoutInventory, VariantAnalysis
from settings import LLMSettings
from tests.agents.llm import loopback
from tests.agents.llm.conftest import API_KEY, FAST


def _anthropic(url: str) -> AnthropicProvider:
    return AnthropicProvider(
        ModelSpec("anthropic", "claude-sonnet-4-6", config=FAST), llm=LLMSettings(), api_key=SecretStr(API_KEY),
        base_url=url
    )


def test_suggestions_from_a_model_are_deduplicated_and_capped() -> None:
    def s(title: str, recipe: str | None) -> dict:
        return {"title": title, "rationale": "seen", "recipe": recipe}

    answer = {
        "suggestions": [
            s("Add search", "search"),
            s("Add a search box", "search"),
            s("Add  filters", None),
            s("add filters", None),
            s("Sort", "sort"),
            s("Bigger buttons", "not_a_recipe"),
        ]
    }
    analysis = VariantAnalysis(success=False, summary="hard to find", issues=["not found after 6 pages"])
    with loopback.ScriptedServer([loopback.anthropic_tool_reply("submit_suggestion_list", answer)]) as server:
        result = suggest_changes("find products", analysis, 3, _anthropic(server.url))
    assert [(x.title, x.recipe) for x in result.value.suggestions] == [
        ("Add search", "search"),
        ("Add  filters", None),
        ("Sort", "sort"),
    ]
    body = server.requests[0].body
    assert (
        "not found after 6 pages" in body["messages"][0]["content"]
        and "find products" in body["messages"][0]["content"]
    )
    assert "category_filter" in str(body["system"])


def test_flows_prompt_carries_goal_and_inventory_and_orders_flows() -> None:
    flow = {
        "name": "f",
        "description": "d",
        "instructions": "i",
        "order": 7,
        "task": {"kind": "explore", "params": {"max_pages": 5}},
    }
    lamp = ItemInfo(name="Brass Lamp", href="http://127.0.0.1:9/lamp", price="$12.00")
    inventory = ScoutInventory(
        url="http://127.0.0.1:9/", title="Northwind", listings=[ListingInfo(url="http://127.0.0.1:9/", items=[lamp])]
    )
    dropped = [{"name": "Send a message", "reason": "no contact form"}]
    with loopback.ScriptedServer(
        [loopback.anthropic_tool_reply("submit_flow_plan", {"flows": [flow, flow], "dropped": dropped})]
    ) as server:
        result = derive_flows("find products", inventory, _anthropic(server.url))
    assert [f.order for f in result.value.flows] == [1, 2]
    assert [d.reason for d in result.value.dropped] == ["no contact form"]
    prompt = server.requests[0].body["messages"][0]["content"]
    assert "find products" in prompt and "Brass Lamp" in prompt and "$12.00" in prompt
    # The model is told what the inventory holds and which task kinds exist, the journey among them.
    assert "purpose" in str(server.requests[0].body["system"]) and '"journey"' in str(server.requests[0].body["system"])
    assert result.provider == "anthropic" and result.input_tokens == 100


def test_the_default_settings_choose_the_offline_provider(tmp_path: Path) -> None:
    provider = get_provider(llm=LLMSettings(), data_dir=tmp_path / "data")
    result = derive_flows("find products", ScoutInventory(url="http://127.0.0.1:9/"), provider)
    assert result.provider == "offline"
