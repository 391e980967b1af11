"""Anthropic Messages API through the official SDK: forced tool use for structured output."""

from __future__ import annotations

import json
from typing import Any

import anthropic
from pydantic import BaseModel

from agents.llm import structured
from agents.llm.base import LLMAuthenticationFailed
from agents.llm.sdk_provider import SDKErrors, SDKProvider, Usage

# Below the model's minimum cacheable prefix a cache_control marker is ignored, so only add it above.
_CACHE_MIN_TOKENS = 1024
_CACHE_MIN_TOKENS_HAIKU = 2048


class AnthropicProvider(SDKProvider):
    provider = "anthropic"
    label = "anthropic"
    errors = SDKErrors(anthropic.APIError, anthropic.APIStatusError, anthropic.APITimeoutError,
                       anthropic.APIConnectionError)
    key_setting, url_setting = "anthropic_api_key", "anthropic_base_url"

    def _get_client(self) -> anthropic.Anthropic:
        if self._api_key is None or not self._api_key.get_secret_value():
            raise LLMAuthenticationFailed("anthropic: no API key; set VARIANTLAB_LLM__ANTHROPIC_API_KEY")
        if self._client is None:
            # max_retries=0: our retry policy (retry.py) is the only one, so it is observable and tested.
            self._client = anthropic.Anthropic(
                api_key=self._api_key.get_secret_value(),
                base_url=self._base_url,
                timeout=self._timeout_s,
                max_retries=0,
            )
        return self._client

    def _request(
        self, prompt: str, system: str | None, schema: type[BaseModel], temperature: float, max_tokens: int
    ) -> dict[str, Any]:
        tool = {
            "name": structured.tool_name(schema),
            "description": structured.tool_description(schema),
            "input_schema": structured.json_schema(schema),
        }
        request: dict[str, Any] = {
            "model": self.spec.model_id,
            "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": prompt}],
            "tools": [tool],
            "tool_choice": {"type": "tool", "name": tool["name"], "disable_parallel_tool_use": True},
        }
        if system:
            request["system"] = self._system(system, tool)
        # Some newer models reject sampling parameters; the SDK no longer types them, so send raw.
        if self.spec.config.get("send_temperature", True):
            request["extra_body"] = {"temperature": temperature}
        return request

    def _system(self, system: str, tool: dict[str, Any]) -> str | list[dict[str, Any]]:
        """Mark the system prompt cacheable when the prefix (tools + system) is long enough to pay."""
        minimum = _CACHE_MIN_TOKENS_HAIKU if "haiku" in self.spec.model_id else _CACHE_MIN_TOKENS
        minimum = int(self.spec.config.get("cache_min_tokens", minimum))
        estimated_tokens = (len(system) + len(json.dumps(tool))) / 4  # ~4 characters per token
        if estimated_tokens < minimum:
            return system
        return [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]

    def _send(self, client: anthropic.Anthropic, request: dict[str, Any]) -> Any:
        return client.messages.create(**request)

    def _answer(self, response: Any, name: str) -> dict[str, Any]:
        return _tool_input(response, name)

    def _add_usage(self, usage: Usage, response: Any) -> None:
        reported = response.usage
        usage.input += reported.input_tokens or 0
        usage.output += reported.output_tokens or 0
        usage.cache_write += getattr(reported, "cache_creation_input_tokens", None) or 0
        usage.cache_read += getattr(reported, "cache_read_input_tokens", None) or 0


def _tool_input(message: Any, name: str) -> dict[str, Any]:
    calls = [block for block in message.content if getattr(block, "type", None) == "tool_use"]
    for block in calls:
        if block.name == name:
            return block.input
    text = " ".join(getattr(block, "text", "") for block in message.content).strip()
    if calls:
        answer = json.dumps(calls[0].input, default=str)
        raise structured.Malformed(
            f"expected a call to the tool {name!r}, got a call to {calls[0].name!r}", answer
        )
    raise structured.Malformed(f"expected a call to the tool {name!r}, got no tool call", text)
