"""Sufficient statistics of one arm for one metric: n, sum and sum of squares."""

from dataclasses import dataclass
from typing import Literal

from analysis.codes import ErrorCode

MetricType = Literal["binomial", "mean"]

# Below this fraction of the second moment, a variance is floating-point noise left by sum_squares - sum^2/n.
_RELATIVE_VARIANCE_FLOOR = 1e-12


@dataclass(frozen=True, slots=True)
class SampleStats:
    """One arm. For "binomial" (0/1 data) sum is the number of successes and sum_squares == sum."""

    n: int
    sum: float
    sum_squares: float
    kind: MetricType = "mean"

    @classmethod
    def binomial(cls, n: int, successes: float) -> "SampleStats":
        return cls(n=n, sum=successes, sum_squares=successes, kind="binomial")

    @property
    def mean(self) -> float:
        return self.sum / self.n if self.n > 0 else float("nan")

    @property
    def variance(self) -> float:
        """Per-observation variance: p(1-p) for proportions (the Wald test's), else the n-1 sample variance."""
        if self.n < 2:
            return float("nan")
        mean = self.mean
        if self.kind == "binomial":
            raw = mean * (1.0 - mean)
        else:
            raw = (self.sum_squares - self.sum * mean) / (self.n - 1)
        if raw <= _RELATIVE_VARIANCE_FLOOR * (self.sum_squares / self.n):
            return 0.0
        return raw

    @property
    def error_code(self) -> ErrorCode | None:
        if self.n <= 0:
            return ErrorCode.EMPTY_ARM
        if self.n < 2:
            return ErrorCode.TOO_FEW_SAMPLES
        return None
