"""Retry policies for stages that talk to outside services (sandboxes, browsers, LLMs).

Exponential backoff with jitter: a rate limit or a flaky sandbox becomes a retry, not a failure.
Stages are idempotent per partition, so a retry re-does the stage from scratch safely.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from pydantic import ValidationError

from agents.llm.base import LLMAuthenticationFailed, LLMError
from agents.llm.retry import Fatal
from agents.sandbox.base import BringupFailed
from db.experiment_playground import EvaluationsWouldBeOrphaned
from db.stages import StageInputMissing
from db.validation import InvalidInput

EXTERNAL_SERVICE_RETRY = dg.RetryPolicy(
    max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)

# Errors no retry can fix: a missing upstream stage stays missing, evaluations stay given, an app
# that cannot come up (not a web app, a failing build, an install without network) fails the same
# way the next time, and so does input or configuration that is invalid.
NOT_RETRIED = (StageInputMissing, EvaluationsWouldBeOrphaned, BringupFailed, InvalidInput)


def is_not_retried(exc: BaseException) -> bool:
    """NOT_RETRIED, settings that do not validate, and an LLM error the provider's own retry policy
    already judged final (agents/llm/retry.py raises it while handling Fatal: authentication failed,
    a request the provider rejects)."""
    if isinstance(exc, (*NOT_RETRIED, LLMAuthenticationFailed)):
        return True
    if isinstance(exc, ValidationError) and exc.title == "Settings":
        return True
    return isinstance(exc, LLMError) and isinstance(exc.__context__, Fatal)


@contextmanager
def fail_without_retry() -> Iterator[None]:
    """Turn an error no retry can fix into a step failure that skips the retry policy. A RetryPolicy
    retries every exception except a dg.Failure with allow_retries=False, and it has no per-error
    filter. Put it outside tracked_stage, so the stage's record keeps the original error."""
    try:
        yield
    except dg.DagsterExecutionInterruptedError as exc:
        # Ctrl-C or SIGTERM: Dagster would retry the stage like any failure, and the run would go on.
        raise dg.Failure(description="interrupted by a signal", allow_retries=False) from exc
    except Exception as exc:
        if not is_not_retried(exc):
            raise
        raise dg.Failure(description=f"{type(exc).__name__}: {exc}", allow_retries=False) from exc
