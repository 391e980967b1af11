"""Anthropic Messages API through the official SDK: forced tool use for structured output."""

from __future__ import annotations

import functools
import json
import time
from typing import Any, TypeVar

import anthropic
from pydantic import BaseModel, SecretStr

from agents.llm import structured
from agents.llm.base import LLMAuthenticationFailed, LLMResult, ModelSpec
from agents.llm.pricing import cost_usd
from agents.llm.retry import RetryPolicy, Transient, call_with_retries, classify_sdk_error, retry_policy_for
from settings import LLMSettings

T = TypeVar("T", bound=BaseModel)

# Below the model's minimum cacheable prefix a cache_control marker is ignored, so only add it above.
_CACHE_MIN_TOKENS = 1024
_CACHE_MIN_TOKENS_HAIKU = 2048


class AnthropicProvider:
    def __init__(
        self,
        spec: ModelSpec,
        *,
        llm: LLMSettings,
        api_key: SecretStr | None = None,
        base_url: str | None = None,
        timeout_s: float | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        settings = llm
        self.spec = spec
        self._api_key = api_key or settings.anthropic_api_key
        self._base_url = base_url or settings.anthropic_base_url
        self._timeout_s = float(timeout_s or spec.config.get("timeout_s") or settings.timeout_s)
        self._retry = retry or retry_policy_for(spec.config, llm)
        self._client: anthropic.Anthropic | None = None

    def __repr__(self) -> str:
        return f"AnthropicProvider(model={self.spec.model_id!r}, base_url={self._base_url!r})"

    def complete(
        self,
        *,
        task: str,
        prompt: str,
        schema: type[T],
        context: dict | None = None,
        system: str | None = None,
        temperature: float = 0.0,
        max_tokens: int = 4096,
    ) -> LLMResult[T]:
        started = time.perf_counter()
        client = self._get_client()
        name = structured.tool_name(schema)
        tool = {
            "name": name,
            "description": structured.tool_description(schema),
            "input_schema": structured.json_schema(schema),
        }
        usage = {"input": 0, "output": 0, "cache_write": 0, "cache_read": 0}
        label = f"anthropic {self.spec.model_id} ({task})"

        def ask(asked: str):  # type: ignore[no-untyped-def]
            message = call_with_retries(
                functools.partial(client.messages.create, **self._request(asked, system, tool, temperature, max_tokens)),
                errors=(anthropic.APIError,),
                classify=self._classify,
                policy=self._retry,
                label=label,
                secrets=[self._api_key],
            )
            _add_usage(usage, message.usage)  # both attempts are paid for
            return message

        value = structured.ask_with_repair(prompt, schema, ask, lambda m: _tool_input(m, name), label)
        cost, known = cost_usd(
            "anthropic",
            self.spec.model_id,
            input_tokens=usage["input"],
            output_tokens=usage["output"],
            cache_write_tokens=usage["cache_write"],
            cache_read_tokens=usage["cache_read"],
        )
        return LLMResult(
            value=value,
            input_tokens=usage["input"] + usage["cache_write"] + usage["cache_read"],
            output_tokens=usage["output"],
            latency_ms=(time.perf_counter() - started) * 1000,
            cost_usd=cost,
            cached=False,
            provider="anthropic",
            model=self.spec.model_id,
            cost_known=known,
        )

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
        self, prompt: str, system: str | None, tool: dict[str, Any], temperature: float, max_tokens: int
    ) -> dict[str, Any]:
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

    def _classify(self, exc: BaseException) -> Transient:
        return classify_sdk_error(
            exc,
            status_error=anthropic.APIStatusError,
            timeout_error=anthropic.APITimeoutError,
            connection_error=anthropic.APIConnectionError,
            label=f"anthropic {self.spec.model_id}",
        )


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


def _add_usage(usage: dict[str, int], reported: Any) -> None:
    usage["input"] += reported.input_tokens or 0
    usage["output"] += reported.output_tokens or 0
    usage["cache_write"] += getattr(reported, "cache_creation_input_tokens", None) or 0
    usage["cache_read"] += getattr(reported, "cache_read_input_tokens", None) or 0
