"""OpenAI-compatible chat completions (OpenAI, OpenRouter, Ollama, vLLM) chosen by base URL.

Structured output is a forced function call; servers that ignore tools and answer in content
still work, because the JSON object in the content is accepted as the answer.
"""

from __future__ import annotations

import functools
import json
import time
from typing import Any, TypeVar

import openai
from pydantic import BaseModel, SecretStr

from agents.llm import structured
from agents.llm.base import LLMResult, ModelSpec
from agents.llm.pricing import cost_usd
from agents.llm.retry import RetryPolicy, Transient, call_with_retries, classify_sdk_error, retry_policy_for
from settings import LLMSettings

T = TypeVar("T", bound=BaseModel)

# Local servers (Ollama, vLLM) accept any key but the SDK insists on one.
_NO_KEY = "not-needed"


class OpenAICompatibleProvider:
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
        self._api_key = api_key or settings.openai_api_key
        self._base_url = base_url or settings.openai_base_url
        self._timeout_s = float(timeout_s or spec.config.get("timeout_s") or settings.timeout_s)
        self._retry = retry or retry_policy_for(spec.config, llm)
        # ModelSpec.config["use_tools"] = False for servers without function calling: JSON in content.
        self._use_tools = bool(spec.config.get("use_tools", True))
        self._client: openai.OpenAI | None = None

    def __repr__(self) -> str:
        return f"OpenAICompatibleProvider(model={self.spec.model_id!r}, base_url={self._base_url!r})"

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
        label = f"openai-compatible {self.spec.model_id} ({task})"
        tokens = {"in": 0, "out": 0}

        def ask(asked: str):  # type: ignore[no-untyped-def]
            completion = call_with_retries(
                functools.partial(client.chat.completions.create,
                                  **self._request(asked, system, schema, temperature, max_tokens)),
                errors=(openai.APIError,),
                classify=self._classify,
                policy=self._retry,
                label=label,
                secrets=[self._api_key],
            )
            if completion.usage is not None:  # both attempts are paid for
                tokens["in"] += completion.usage.prompt_tokens or 0
                tokens["out"] += completion.usage.completion_tokens or 0
            return completion

        value = structured.ask_with_repair(prompt, schema, ask, lambda c: _answer(c, name), label)
        cost, known = cost_usd("openai", self.spec.model_id, input_tokens=tokens["in"], output_tokens=tokens["out"])
        return LLMResult(
            value=value,
            input_tokens=tokens["in"],
            output_tokens=tokens["out"],
            latency_ms=(time.perf_counter() - started) * 1000,
            cost_usd=cost,
            cached=False,
            provider="openai",
            model=self.spec.model_id,
            cost_known=known,
        )

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

    def _classify(self, exc: BaseException) -> Transient:
        return classify_sdk_error(
            exc,
            status_error=openai.APIStatusError,
            timeout_error=openai.APITimeoutError,
            connection_error=openai.APIConnectionError,
            label=f"openai-compatible {self.spec.model_id}",
        )


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
