"""Our retry policy for provider calls: exponential backoff with full jitter, honouring retry-after.

The SDK clients are built with max_retries=0 so that this is the only policy in force, and so that
tests can observe it against a loopback server.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import SecretStr

from agents.llm.base import LLMAuthenticationFailed, LLMError, LLMRateLimited, LLMUnavailable
from settings import LLMSettings

R = TypeVar("R")
log = logging.getLogger(__name__)

_RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
_AUTH_STATUS = frozenset({401, 403})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    # A server asking for a longer pause than this is treated as unavailable rather than waited on.
    max_retry_after_s: float = 120.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)] (AWS architecture blog)."""
        ceiling = min(self.max_delay_s, self.base_delay_s * (2**attempt))
        return (rng or random).uniform(0.0, ceiling)


@dataclass(frozen=True)
class Transient:
    """A failure worth retrying: kind is "rate_limit", "server" or "timeout"."""

    kind: str
    detail: str
    retry_after_s: float | None = None


class Fatal(Exception):
    """A failure not worth retrying; carries the LLMError to raise."""

    def __init__(self, error: LLMError) -> None:
        super().__init__(str(error))
        self.error = error


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from `retry-after-ms`, `retry-after` (seconds or an HTTP date)."""
    if not headers:
        return None
    try:
        if (ms := headers.get("retry-after-ms")) is not None:
            return max(0.0, float(ms) / 1000.0)
    except ValueError:
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unparseable: fall back to our own backoff
    return max(0.0, parsed.timestamp() - time.time())


def redact(text: str, secrets: Iterable[SecretStr | str | None]) -> str:
    for secret in secrets:
        raw = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        if raw and len(raw) >= 4:
            text = text.replace(raw, "***")
    return text


def classify_sdk_error(
    exc: BaseException, *, status_error: type, timeout_error: type, connection_error: type, label: str
) -> Transient:
    """Map an SDK exception (anthropic and openai share the shape) to Transient, or raise Fatal."""
    if isinstance(exc, timeout_error):
        return Transient("timeout", "request timed out")
    if isinstance(exc, status_error):
        status: int = exc.status_code  # type: ignore[attr-defined]
        detail = f"HTTP {status}: {_server_message(exc)}"
        if status == 429:
            return Transient("rate_limit", detail, parse_retry_after(exc.response.headers))  # type: ignore[attr-defined]
        if status in _RETRYABLE_STATUS or status >= 500:
            return Transient("server", detail, parse_retry_after(exc.response.headers))  # type: ignore[attr-defined]
        if status in _AUTH_STATUS:
            raise Fatal(
                LLMAuthenticationFailed(f"{label}: authentication failed ({detail}); check the API key setting")
            )
        raise Fatal(LLMError(f"{label}: request rejected ({detail})"))
    if isinstance(exc, connection_error):
        return Transient("server", "connection failed")
    raise exc


def _server_message(exc: BaseException) -> str:
    """The server's own error message: anthropic keeps {"error": {...}}, openai unwraps it."""
    body: Any = getattr(exc, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict | str):
        body = body["error"]
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])[:200]
    if isinstance(body, str) and body:
        return body[:200]
    return type(exc).__name__


def call_with_retries(
    fn: Callable[[], R],
    *,
    errors: tuple[type[BaseException], ...],
    classify: Callable[[BaseException], Transient],
    policy: RetryPolicy,
    label: str,
    secrets: Iterable[SecretStr | str | None] = (),
    sleep: Callable[[float], None] = time.sleep,
) -> R:
    """Call fn, retrying transient `errors`; raise a clear LLMError (keys redacted) when done."""
    secrets = list(secrets)
    attempt = 0
    while True:
        try:
            return fn()
        except errors as exc:  # the SDK's errors; classify decides which are transient
            try:
                transient = classify(exc)
            except Fatal as fatal:
                raise type(fatal.error)(redact(str(fatal.error), secrets)) from None
        detail = redact(transient.detail, secrets)
        if attempt >= policy.max_retries:
            raise _exhausted(transient.kind, detail, attempt + 1, label) from None
        if transient.retry_after_s is not None:
            if transient.retry_after_s > policy.max_retry_after_s:
                raise LLMRateLimited(
                    f"{label}: server asked to wait {transient.retry_after_s:.0f}s "
                    f"(more than {policy.max_retry_after_s:.0f}s): {detail}"
                ) from None
            delay = transient.retry_after_s
        else:
            delay = policy.backoff(attempt)
        log.warning(
            "%s: %s (%s); retry %d/%d in %.2fs",
            label,
            transient.kind,
            detail,
            attempt + 1,
            policy.max_retries,
            delay,
        )
        sleep(delay)
        attempt += 1


def _exhausted(kind: str, detail: str, attempts: int, label: str) -> LLMError:
    message = f"{label}: gave up after {attempts} attempts; last failure: {kind} ({detail})"
    if kind == "rate_limit":
        return LLMRateLimited(message)
    return LLMUnavailable(message)


def retry_policy_for(config: Mapping[str, Any], llm: LLMSettings) -> RetryPolicy:
    """The policy from settings, with per-model overrides from ModelSpec.config (used by tests too)."""
    return RetryPolicy(
        max_retries=int(config.get("max_retries", llm.max_retries)),
        base_delay_s=float(config.get("retry_base_s", RetryPolicy.base_delay_s)),
        max_delay_s=float(config.get("retry_max_s", RetryPolicy.max_delay_s)),
    )
