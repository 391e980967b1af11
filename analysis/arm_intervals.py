"""Each arm's own value of a metric with its (1 - alpha) interval: the level a change is read from.

Wilson's interval for proportions, so an arm at 0 % or 100 % still gets a width (Wald's would be a
point); Student's t for means. An arm without data has nothing to show and is left out; an arm with a
single observation of a mean has no variance estimate, so its interval is missing and its error code
says why (the caller keeps the arm, so no chart drops it silently).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from analysis.boundary import wilson
from analysis.codes import ErrorCode
from analysis.frequentist import t_quantile
from analysis.rows import MetricRow


@dataclass(frozen=True, slots=True)
class ArmInterval:
    arm: str
    metric: str
    n: int
    mean: float
    ci_low: float | None = None
    ci_high: float | None = None
    error_code: ErrorCode | None = None  # TOO_FEW_SAMPLES: a single observation of a mean


def arm_intervals(rows: Iterable[MetricRow], alpha: float = 0.05) -> tuple[ArmInterval, ...]:
    """One interval per row with data, in the rows' order."""
    out = []
    for row in rows:
        sample = row.stats()
        if sample.error_code is ErrorCode.EMPTY_ARM:
            continue
        low = high = None
        if sample.kind == "binomial":
            low, high = wilson(sample.sum, sample.n, alpha)
        elif sample.error_code is None:
            half = t_quantile(1 - alpha / 2, sample.n - 1) * math.sqrt(sample.variance / sample.n)
            low, high = sample.mean - half, sample.mean + half
        out.append(ArmInterval(arm=row.variant, metric=row.metric, n=sample.n, mean=sample.mean, ci_low=low,
                               ci_high=high, error_code=None if low is not None else sample.error_code))
    return tuple(out)
