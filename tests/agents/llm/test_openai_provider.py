"""What the OpenAI-compatible provider puts on the wire, and its JSON-in-content fallback."""

from __future__ import annotations

import json

from agents.llm.base import ModelSpec
from agents.llm.openai_provider import OpenAICompatibleProvider
from settings import LLMSettings
from tests.agents.llm import loopback
from tests.agents.llm.conftest import FAST, Verdict

GOOD = {"answer": "ship it", "score": 7}


def _provider(url: str, **config: object) -> OpenAICompatibleProvider:
    # No API key, as for a local Ollama or vLLM server.
    return OpenAICompatibleProvider(
        ModelSpec("openai", "llama3.1", config={**FAST, **config}), llm=LLMSettings(), base_url=url + "/v1"
    )


def test_request_forces_the_schema_function() -> None:
    with loopback.ScriptedServer([loopback.openai_tool_reply("submit_verdict", GOOD)]) as server:
        result = _provider(server.url).complete(
            task="judge", prompt="Is it good?", schema=Verdict, system="Be brief.", temperature=0.7
        )
    body = server.requests[0].body
    assert body["tools"][0]["function"]["name"] == "submit_verdict"
    assert body["tools"][0]["function"]["parameters"] == Verdict.model_json_schema()
    assert body["tool_choice"] == {"type": "function", "function": {"name": "submit_verdict"}}
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Is it good?"},
    ]
    assert body["temperature"] == 0.7
    assert result.value == Verdict(**GOOD) and result.provider == "openai" and not result.cost_known


def test_json_in_content_is_accepted_when_tools_are_ignored() -> None:
    text = "Here you go:\n```json\n" + json.dumps(GOOD) + "\n```"
    with loopback.ScriptedServer([loopback.openai_text_reply(text)]) as server:
        result = _provider(server.url).complete(task="judge", prompt="?", schema=Verdict)
    assert result.value == Verdict(**GOOD)
    assert len(server.requests) == 1


def test_servers_without_tools_are_asked_for_json() -> None:
    with loopback.ScriptedServer([loopback.openai_text_reply(json.dumps(GOOD))]) as server:
        result = _provider(server.url, use_tools=False).complete(
            task="judge", prompt="Is it good?", schema=Verdict
        )
    body = server.requests[0].body
    assert "tools" not in body and "tool_choice" not in body
    assert '"score"' in body["messages"][-1]["content"]
    assert result.value.score == 7
