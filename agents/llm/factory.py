"""Choose the LLM provider for a ModelSpec (or from settings), behind the response cache."""

from __future__ import annotations

from pathlib import Path

from agents.llm.base import LLMProvider, ModelSpec
from agents.llm.offline_provider import OFFLINE_MODEL
from settings import LLMSettings

DEFAULT_MODELS = {"offline": OFFLINE_MODEL, "anthropic": "claude-sonnet-4-6", "openai": "gpt-4o-mini"}


def spec_from_settings(llm: LLMSettings) -> ModelSpec:
    # The settings default model is the offline one; switching only the provider picks its default.
    model = (
        llm.model if llm.provider == "offline" or llm.model != OFFLINE_MODEL else DEFAULT_MODELS[llm.provider]
    )
    return ModelSpec(provider=llm.provider, model_id=model)


def parse_model_spec(text: str) -> ModelSpec:
    """ "anthropic:claude-sonnet-4-5", "openai:llama3.1" or a bare id ("claude-…" means anthropic,
    "offline…" offline, anything else an OpenAI-compatible endpoint)."""
    provider, sep, model = text.partition(":")
    if sep and provider in DEFAULT_MODELS:
        return ModelSpec(provider=provider, model_id=model or DEFAULT_MODELS[provider], name=text)
    if text.startswith("offline"):
        return ModelSpec(provider="offline", model_id=text, name=text)
    if text.startswith("claude"):
        return ModelSpec(provider="anthropic", model_id=text, name=text)
    return ModelSpec(provider="openai", model_id=text, name=text)


def get_provider(spec: ModelSpec | None = None, *, cache: bool | None = None, llm: LLMSettings,
                 data_dir: Path) -> LLMProvider:
    """The provider for spec (None: from `llm`), wrapped in the response cache when enabled.

    The offline provider is never cached: it is deterministic and free, so a cache adds only I/O.
    `llm` and `data_dir` (where the cache lives) are the caller's settings: a stage's, the CLI's, a test's.
    """
    spec = spec or spec_from_settings(llm)
    provider: LLMProvider
    if spec.provider == "offline":
        from agents.llm.offline_provider import OfflineProvider

        return OfflineProvider(spec.model_id)
    if spec.provider == "anthropic":
        from agents.llm.anthropic_provider import AnthropicProvider

        provider = AnthropicProvider(spec, llm=llm)
    else:
        from agents.llm.openai_provider import OpenAICompatibleProvider

        provider = OpenAICompatibleProvider(spec, llm=llm)
    if llm.cache if cache is None else cache:
        from agents.llm.cache import CachedProvider, ResponseCache

        return CachedProvider(provider, spec, ResponseCache(data_dir / "llm-cache.sqlite"))
    return provider
