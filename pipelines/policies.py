"""Retry policies for stages that talk to outside services (sandboxes, browsers, LLMs).

Exponential backoff with jitter: a rate limit or a flaky sandbox becomes a retry, not a failure.
Stages are idempotent per partition, so a retry re-does the stage from scratch safely.
"""

import dagster as dg

EXTERNAL_SERVICE_RETRY = dg.RetryPolicy(
    max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
