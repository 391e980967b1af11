"""OpenAI-compatible chat completions (OpenAI, OpenRouter, Ollama, vLLM) chosen by base URL.

Structured output is a forced function call; servers that ignore tools and answer in content
still work, because the JSON object in the content is accepted as the answer.
"""

from __future__ import annotations

import json
from typing import Any

import openai
from pydantic import BaseModel

from agents.llm import structured
from agents.llm.base import ModelSpec
from agents.llm.sdk_provider import SDKErrors, SDKProvider, Usage

# Local servers (Ollama, vLLM) accept any key but the SDK insists on one.
_NO_KEY = "not-needed"


class OpenAICompatibleProvider(SDKProvider):
    provider = "openai"
    label = "openai-compatible"
    errors = SDKErrors(openai.APIError, openai.APIStatusError, openai.APITimeoutError, openai.APIConnectionError)
    key_setting, url_setting = "openai_api_key", "openai_base_url"

    def __init__(self, spec: ModelSpec, **kwargs: Any) -> None:
        super().__init__(spec, **kwargs)
        # ModelSpec.config["use_tools"] = False for servers without function calling: JSON in content.
        self._use_tools = bool(spec.config.get("use_tools", True))

    def _get_client(self) -> openai.OpenAI:
        if self._client is None:
            key = self._api_key.get_secret_value() if self._api_key else _NO_KEY
            # max_retries=0: our retry policy (retry.py) is the only one, so it is observable and tested.
            self._client = openai.OpenAI(
                api_key=key or _NO_KEY, base_url=self._base_url, timeout=self._timeout_s, max_retries=0
            )
        return self._client

    def _request(
        self, prompt: str, system: str | None, schema: type[BaseModel], temperature: float, max_tokens: int
    ) -> dict[str, Any]:
        name = structured.tool_name(schema)
        messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
        request: dict[str, Any] = {
            "model": self.spec.model_id,
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        if self._use_tools:
            request["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": name,
                        "description": structured.tool_description(schema),
                        "parameters": structured.json_schema(schema),
                    },
                }
            ]
            request["tool_choice"] = {"type": "function", "function": {"name": name}}
        else:
            prompt = (
                f"{prompt}\n\nAnswer with one JSON object only, matching this JSON schema:\n"
                f"{json.dumps(structured.json_schema(schema))}"
            )
        request["messages"] = [*messages, {"role": "user", "content": prompt}]
        return request

    def _send(self, client: openai.OpenAI, request: dict[str, Any]) -> Any:
        return client.chat.completions.create(**request)

    def _answer(self, response: Any, name: str) -> str:
        return _answer(response, name)

    def _add_usage(self, usage: Usage, response: Any) -> None:
        if response.usage is not None:
            usage.input += response.usage.prompt_tokens or 0
            usage.output += response.usage.completion_tokens or 0


def _answer(completion: Any, name: str) -> str:
    """The forced call's arguments, or the JSON object in the content as a fallback."""
    if not completion.choices:
        raise structured.Malformed("the response has no choices")
    message = completion.choices[0].message
    calls = [call for call in (message.tool_calls or []) if getattr(call, "type", "function") == "function"]
    for call in calls:
        if call.function.name == name:
            return call.function.arguments or ""
    if message.content:
        return structured.json_from_text(message.content)
    if calls:
        raise structured.Malformed(
            f"expected a call to the function {name!r}, got a call to {calls[0].function.name!r}",
            calls[0].function.arguments or "",
        )
    raise structured.Malformed(f"expected a call to the function {name!r}, got an empty answer")
