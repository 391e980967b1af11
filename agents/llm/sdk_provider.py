"""What every hosted-LLM provider does the same way through its vendor's SDK: where its key, address,
timeout and retry policy come from, one structured call with our retries and a repair round, the
tokens both attempts used, and the priced result. A provider supplies only its dialect: how a
request is written and sent, how the answer and the usage are read, and which SDK errors are which.
"""

from __future__ import annotations

import functools
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, SecretStr

from agents.llm import structured
from agents.llm.base import LLMResult, ModelSpec
from agents.llm.pricing import cost_usd
from agents.llm.retry import RetryPolicy, Transient, call_with_retries, classify_sdk_error, retry_policy_for
from settings import LLMSettings

T = TypeVar("T", bound=BaseModel)


@dataclass
class Usage:
    """Tokens of one structured call, summed over its attempts (a repaired answer is paid for twice)."""

    input: int = 0  # without the cache's, as Anthropic reports them
    output: int = 0
    cache_write: int = 0
    cache_read: int = 0


@dataclass(frozen=True)
class SDKErrors:
    """The SDK's exception classes, for our retry policy to tell transient from final."""

    base: type[BaseException]
    status: type[BaseException]
    timeout: type[BaseException]
    connection: type[BaseException]


class SDKProvider(ABC):
    provider: ClassVar[str]  # the pricing table's and the result's name: "anthropic", "openai"
    label: ClassVar[str]  # how log lines and errors name it
    errors: ClassVar[SDKErrors]
    key_setting: ClassVar[str]  # the LLMSettings fields a key and an address default to
    url_setting: ClassVar[str]

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
        self.spec = spec
        self._api_key: SecretStr | None = api_key or getattr(llm, self.key_setting)
        self._base_url: str | None = base_url or getattr(llm, self.url_setting)
        self._timeout_s = float(timeout_s or spec.config.get("timeout_s") or llm.timeout_s)
        self._retry = retry or retry_policy_for(spec.config, llm)
        self._client: Any = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.spec.model_id!r}, base_url={self._base_url!r})"

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
        label = f"{self.label} {self.spec.model_id} ({task})"
        usage = Usage()

        def ask(asked: str) -> Any:
            request = self._request(asked, system, schema, temperature, max_tokens)
            response = call_with_retries(
                functools.partial(self._send, client, request),
                errors=(self.errors.base,),
                classify=self._classify,
                policy=self._retry,
                label=label,
                secrets=[self._api_key],
            )
            self._add_usage(usage, response)  # both attempts are paid for
            return response

        value = structured.ask_with_repair(prompt, schema, ask, lambda response: self._answer(response, name), label)
        cost, known = cost_usd(self.provider, self.spec.model_id, input_tokens=usage.input, output_tokens=usage.output,
                               cache_write_tokens=usage.cache_write, cache_read_tokens=usage.cache_read)
        return LLMResult(
            value=value,
            input_tokens=usage.input + usage.cache_write + usage.cache_read,
            output_tokens=usage.output,
            latency_ms=(time.perf_counter() - started) * 1000,
            cost_usd=cost,
            cached=False,
            provider=self.provider,
            model=self.spec.model_id,
            cost_known=known,
        )

    def _classify(self, exc: BaseException) -> Transient:
        return classify_sdk_error(exc, status_error=self.errors.status, timeout_error=self.errors.timeout,
                                  connection_error=self.errors.connection, label=f"{self.label} {self.spec.model_id}")

    # -- the dialect ---------------------------------------------------------------------------
    @abstractmethod
    def _get_client(self) -> Any:
        """The SDK client (made once), with the SDK's own retries off: ours are the only ones."""

    @abstractmethod
    def _request(self, prompt: str, system: str | None, schema: type[BaseModel], temperature: float,
                 max_tokens: int) -> dict[str, Any]:
        """The keyword arguments of one call that forces an answer in `schema`'s shape."""

    @abstractmethod
    def _send(self, client: Any, request: dict[str, Any]) -> Any:
        """One call through the SDK."""

    @abstractmethod
    def _answer(self, response: Any, name: str) -> Any:
        """The structured answer in the response (structured.Malformed when there is none)."""

    @abstractmethod
    def _add_usage(self, usage: Usage, response: Any) -> None:
        """Add the tokens the response reports."""
