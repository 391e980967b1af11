from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel, Field, SecretStr

from agents.llm.anthropic_provider import AnthropicProvider
from agents.llm.base import LLMProvider, ModelSpec
from agents.llm.openai_provider import OpenAICompatibleProvider
from settings import LLMSettings
from tests.agents.llm import loopback

API_KEY = "sk-loopback-SECRET-0123456789abcdef"


class Verdict(BaseModel):
    """A tiny answer shape for the provider tests."""

    answer: str
    score: int = Field(ge=0, le=10)


@pytest.fixture(autouse=True)
def no_sdk_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDKs read these themselves: removed, so only the settings a test hands in configure a
    provider. (The providers never read variantlab's settings; a test hands its LLMSettings in.)"""
    for var in (
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_CUSTOM_HEADERS",
        "ANTHROPIC_PROFILE",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
    ):
        monkeypatch.delenv(var, raising=False)


@dataclass
class Dialect:
    """How one provider protocol is spoken: its provider class, settings names and replies."""

    name: str
    path: str
    make: Callable[[dict[str, Any]], LLMProvider]
    good: Callable[[dict[str, Any]], loopback.Reply]
    wrong_tool: Callable[[dict[str, Any]], loopback.Reply]
    text: Callable[[str], loopback.Reply]


def _anthropic(monkeypatch: pytest.MonkeyPatch, url: str) -> Dialect:
    llm = LLMSettings(anthropic_base_url=url, anthropic_api_key=SecretStr(API_KEY))
    return Dialect(
        name="anthropic",
        path="/v1/messages",
        make=lambda config: AnthropicProvider(ModelSpec("anthropic", "claude-sonnet-4-6", config=config), llm=llm),
        good=lambda value: loopback.anthropic_tool_reply("submit_verdict", value),
        wrong_tool=lambda value: loopback.anthropic_tool_reply("submit_something_else", value),
        text=loopback.anthropic_text_reply,
    )


def _openai(monkeypatch: pytest.MonkeyPatch, url: str) -> Dialect:
    llm = LLMSettings(openai_base_url=url + "/v1", openai_api_key=SecretStr(API_KEY))
    return Dialect(
        name="openai",
        path="/v1/chat/completions",
        make=lambda config: OpenAICompatibleProvider(ModelSpec("openai", "llama3.1", config=config), llm=llm),
        good=lambda value: loopback.openai_tool_reply("submit_verdict", value),
        wrong_tool=lambda value: loopback.openai_tool_reply("submit_something_else", value),
        text=loopback.openai_text_reply,
    )


DIALECTS = {"anthropic": _anthropic, "openai": _openai}

# Tiny waits: the policy is exercised, the test stays fast.
FAST = {"retry_base_s": 0.01, "retry_max_s": 0.05, "max_retries": 3, "timeout_s": 2.0}
