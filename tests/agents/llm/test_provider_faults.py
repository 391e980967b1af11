"""Both real providers, through their own SDKs, against a loopback server with injected faults."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from agents.llm.base import LLMBadResponse, LLMError, LLMRateLimited, LLMUnavailable
from tests.agents.llm import loopback
from tests.agents.llm.conftest import API_KEY, DIALECTS, FAST, Dialect, Verdict

GOOD = {"answer": "ship it", "score": 7}

Speak = Callable[[list[loopback.Reply]], Dialect]


@pytest.fixture(params=sorted(DIALECTS))
def speak(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Dialect, loopback.ScriptedServer]]:
    with loopback.ScriptedServer([]) as server:
        yield DIALECTS[request.param](monkeypatch, server.url), server


def _ask(dialect: Dialect, **config: object) -> object:
    provider = dialect.make({**FAST, **config})
    return provider.complete(task="judge", prompt="Is it good?", schema=Verdict, system="Be brief.")


def test_normal_answer_is_validated_with_usage(speak) -> None:
    dialect, server = speak
    server.replies = [dialect.good(GOOD)]
    result = _ask(dialect)
    assert result.value == Verdict(**GOOD)
    assert (result.input_tokens, result.output_tokens) == (100, 20)
    assert result.provider == dialect.name and not result.cached
    assert [r.path for r in server.requests] == [dialect.path]


def test_rate_limit_honours_retry_after(speak) -> None:
    dialect, server = speak
    server.replies = [loopback.error_reply(429, "slow down", **{"retry-after": "0.4"}), dialect.good(GOOD)]
    result = _ask(dialect)
    assert result.value.score == 7
    first, second = server.requests
    # Backoff alone would wait at most 0.01s; the server asked for 0.4s.
    assert second.at - first.at >= 0.4


@pytest.mark.parametrize("status", [500, 503, 529])
def test_server_errors_are_retried(speak, status: int) -> None:
    dialect, server = speak
    server.replies = [loopback.error_reply(status, "overloaded"), dialect.good(GOOD)]
    assert _ask(dialect).value.answer == "ship it"
    assert len(server.requests) == 2


def test_timeout_is_retried(speak) -> None:
    dialect, server = speak
    server.replies = [loopback.Reply(delay_s=1.5, body={}), dialect.good(GOOD)]
    assert _ask(dialect, timeout_s=0.3).value.answer == "ship it"
    assert len(server.requests) == 2


def test_persistent_server_error_gives_up_clearly(speak) -> None:
    dialect, server = speak
    server.replies = [loopback.error_reply(500, "boom")]
    with pytest.raises(LLMUnavailable, match=r"gave up after 3 attempts.*HTTP 500: boom"):
        _ask(dialect, max_retries=2)
    assert len(server.requests) == 3


def test_persistent_rate_limit_is_reported_as_such(speak) -> None:
    dialect, server = speak
    server.replies = [loopback.error_reply(429, "quota", **{"retry-after": "0"})]
    with pytest.raises(LLMRateLimited, match="gave up after 2 attempts"):
        _ask(dialect, max_retries=1)


def test_client_errors_are_not_retried(speak) -> None:
    dialect, server = speak
    server.replies = [loopback.error_reply(400, "bad field")]
    with pytest.raises(LLMError, match="request rejected.*HTTP 400: bad field"):
        _ask(dialect)
    assert len(server.requests) == 1


@pytest.mark.parametrize("malformed", ["text", "wrong_tool"])
def test_malformed_answer_gets_one_repair(speak, malformed: str) -> None:
    dialect, server = speak
    bad = dialect.text("I think it is good.") if malformed == "text" else dialect.wrong_tool(GOOD)
    server.replies = [bad, dialect.good(GOOD)]
    result = _ask(dialect)
    assert result.value.score == 7
    assert len(server.requests) == 2
    repair = str(server.requests[1].body["messages"])
    assert "rejected" in repair and "submit_verdict" in repair
    assert (result.input_tokens, result.output_tokens) == (200, 40)  # both attempts are paid for


def test_schema_failure_twice_is_a_bad_response(speak) -> None:
    dialect, server = speak
    server.replies = [dialect.good({"answer": "meh", "score": 99})]
    with pytest.raises(LLMBadResponse, match="score"):
        _ask(dialect)
    assert len(server.requests) == 2
    assert "less than or equal to 10" in str(server.requests[1].body["messages"])


def test_api_key_never_leaks(speak, caplog: pytest.LogCaptureFixture) -> None:
    dialect, server = speak
    caplog.set_level(logging.DEBUG)
    echo = f"invalid key {API_KEY}"
    server.replies = [loopback.error_reply(500, echo), loopback.error_reply(401, echo)]
    provider = dialect.make(FAST)
    with pytest.raises(LLMUnavailable) as raised:
        provider.complete(task="judge", prompt="Is it good?", schema=Verdict)
    assert any(API_KEY in value for value in server.requests[0].headers.values())  # it was sent...
    assert "authentication failed" in str(raised.value)
    assert API_KEY not in str(raised.value) and raised.value.__cause__ is None
    assert API_KEY not in caplog.text
    assert API_KEY not in repr(provider)  # ...and shown nowhere
