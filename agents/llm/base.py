"""The LLM contract: one `complete` call that returns a schema-validated value and what it cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)

PROVIDERS = ("offline", "anthropic", "openai")


class LLMError(RuntimeError):
    """An LLM call failed. Messages never contain API keys."""


class LLMRateLimited(LLMError):
    """Still rate limited (HTTP 429) after the last retry."""


class LLMUnavailable(LLMError):
    """The provider cannot do this: no key, unreachable, overloaded, or a task it cannot run."""


class LLMAuthenticationFailed(LLMUnavailable):
    """No API key, or the provider rejected it (HTTP 401/403): no retry can fix it, only the setting."""


class LLMBadResponse(LLMError):
    """The answer did not validate against the schema, even after the repair retry."""


@dataclass(frozen=True)
class ModelSpec:
    """Which model to ask. `config` carries provider-specific knobs (timeout_s, retry_base_s, ...)."""

    provider: str
    model_id: str
    name: str = ""
    config: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def __post_init__(self) -> None:
        if self.provider not in PROVIDERS:
            raise ValueError(
                f"unknown LLM provider {self.provider!r}; expected one of {', '.join(PROVIDERS)}"
            )

    @property
    def label(self) -> str:
        return self.name or f"{self.provider}:{self.model_id}"


@dataclass(frozen=True)
class LLMResult(Generic[T]):
    value: T
    input_tokens: int
    output_tokens: int
    latency_ms: float
    cost_usd: float
    cached: bool
    provider: str
    model: str
    # False when the model has no entry in the price table: cost_usd is then 0.0 but unknown, not free.
    cost_known: bool = True


@runtime_checkable
class LLMProvider(Protocol):
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
    ) -> LLMResult[T]: ...
