"""What the Anthropic provider puts on the wire and what it reports back."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from agents.llm.anthropic_provider import AnthropicProvider
from agents.llm.base import LLMUnavailable, ModelSpec
from settings import LLMSettings
from tests.agents.llm import loopback
from tests.agents.llm.conftest import API_KEY, FAST, Verdict

GOOD = {"answer": "ship it", "score": 7}


def _provider(url: str, model: str = "claude-sonnet-4-6", **config: object) -> AnthropicProvider:
    spec = ModelSpec("anthropic", model, config={**FAST, **config})
    return AnthropicProvider(spec, llm=LLMSettings(), api_key=SecretStr(API_KEY), base_url=url)


def test_request_forces_the_schema_tool() -> None:
    with loopback.ScriptedServer([loopback.anthropic_tool_reply("submit_verdict", GOOD)]) as server:
        _provider(server.url).complete(
            task="judge",
            prompt="Is it good?",
            schema=Verdict,
            system="Be brief.",
            temperature=0.3,
            max_tokens=512,
        )
    (seen,) = server.requests
    assert seen.headers["x-api-key"] == API_KEY
    body = seen.body
    assert body["model"] == "claude-sonnet-4-6" and body["max_tokens"] == 512 and body["temperature"] == 0.3
    assert body["tools"][0]["name"] == "submit_verdict"
    assert body["tools"][0]["input_schema"] == Verdict.model_json_schema()
    assert body["tool_choice"] == {
        "type": "tool",
        "name": "submit_verdict",
        "disable_parallel_tool_use": True,
    }
    assert body["system"] == "Be brief."  # too short to be worth a cache breakpoint
    assert body["messages"] == [{"role": "user", "content": "Is it good?"}]


def test_long_system_prompt_is_cached_and_priced_as_such() -> None:
    reply = loopback.anthropic_tool_reply(
        "submit_verdict",
        GOOD,
        input_tokens=50,
        output_tokens=1000,
        cache_creation_input_tokens=0,
        cache_read_input_tokens=2000,
    )
    system = "You judge things carefully. " * 300  # ~2,100 tokens
    with loopback.ScriptedServer([reply]) as server:
        result = _provider(server.url).complete(
            task="judge", prompt="Is it good?", schema=Verdict, system=system
        )
    assert server.requests[0].body["system"] == [
        {"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}
    ]
    assert result.input_tokens == 2050
    # sonnet: $3 / $15 per MTok; cache reads at 0.1x input
    assert result.cost_usd == pytest.approx((50 * 3 + 2000 * 0.3 + 1000 * 15) / 1e6)
    assert result.cost_known


def test_unknown_model_cost_is_flagged_unknown() -> None:
    with loopback.ScriptedServer([loopback.anthropic_tool_reply("submit_verdict", GOOD)]) as server:
        result = _provider(server.url, model="claude-fable-5").complete(
            task="judge", prompt="?", schema=Verdict
        )
    assert result.cost_usd == 0.0 and not result.cost_known


def test_temperature_can_be_withheld_for_models_that_reject_it() -> None:
    with loopback.ScriptedServer([loopback.anthropic_tool_reply("submit_verdict", GOOD)]) as server:
        _provider(server.url, send_temperature=False).complete(task="judge", prompt="?", schema=Verdict)
    assert "temperature" not in server.requests[0].body


def test_missing_key_is_unavailable_without_a_request() -> None:
    with loopback.ScriptedServer([loopback.anthropic_tool_reply("submit_verdict", GOOD)]) as server:
        provider = AnthropicProvider(ModelSpec("anthropic", "claude-sonnet-4-6"), llm=LLMSettings(),
                                     base_url=server.url)
        with pytest.raises(LLMUnavailable, match="ANTHROPIC_API_KEY"):
            provider.complete(task="judge", prompt="?", schema=Verdict)
    assert server.requests == []
