"""Retry policies for stages that talk to outside services (sandboxes, browsers, LLMs).

Exponential backoff with jitter: a rate limit or a flaky sandbox becomes a retry, not a failure.
Stages are idempotent per partition, so a retry re-does the stage from scratch safely.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from agents.sandbox.base import BringupFailed
from assets.records import StageInputMissing
from db.experiment_playground import EvaluationsWouldBeOrphaned

EXTERNAL_SERVICE_RETRY = dg.RetryPolicy(
    max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)

# Errors no retry can fix: a missing upstream stage stays missing, evaluations stay given, and an app
# that cannot come up (not a web app, a failing build) fails the same way the next time.
NOT_RETRIED = (StageInputMissing, EvaluationsWouldBeOrphaned, BringupFailed)


@contextmanager
def fail_without_retry() -> Iterator[None]:
    """Turn a NOT_RETRIED error into a step failure that skips the retry policy. A RetryPolicy retries
    every exception except a dg.Failure with allow_retries=False, and it has no per-error filter.
    Put it outside tracked_stage, so the stage's record keeps the original error."""
    try:
        yield
    except NOT_RETRIED as exc:
        raise dg.Failure(description=f"{type(exc).__name__}: {exc}", allow_retries=False) from exc
