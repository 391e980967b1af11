"""The retry policy's pieces: backoff bounds, retry-after parsing, redaction."""

from __future__ import annotations

import email.utils
import random
import time

import pytest
from pydantic import SecretStr

from agents.llm.base import LLMRateLimited
from agents.llm.retry import RetryPolicy, Transient, call_with_retries, parse_retry_after, redact


def test_full_jitter_stays_under_the_exponential_ceiling() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=3.0)
    rng = random.Random(1)
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 3.0), (8, 3.0)]:
        delays = [policy.backoff(attempt, rng) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # jitter spans the range, not a fixed delay


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "150", "retry-after": "9"}, 0.15),
        ({}, None),
        ({"retry-after": "soon"}, None),
    ],
)
def test_retry_after_forms(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_retry_after_http_date() -> None:
    value = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= parse_retry_after({"retry-after": value}) <= 31


def test_redact_hides_secret_values() -> None:
    assert redact("bad key sk-abc123 here", [SecretStr("sk-abc123"), None]) == "bad key *** here"


def test_a_server_asking_for_too_long_a_pause_is_not_waited_on() -> None:
    slept: list[float] = []

    def fail() -> None:
        raise KeyError("429")

    with pytest.raises(LLMRateLimited, match="asked to wait 600s"):
        call_with_retries(
            fail,
            errors=(KeyError,),
            classify=lambda exc: Transient("rate_limit", "HTTP 429", 600.0),
            policy=RetryPolicy(),
            label="test",
            sleep=slept.append,
        )
    assert slept == []
