"""Typed results of the engine and their JSON form."""

import dataclasses
import math
from enum import Enum
from typing import Any

from analysis.codes import ErrorCode
from analysis.guardrails import GuardrailResult
from analysis.srm import SRMResult

Interval = tuple[float, float]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MetricResult:
    """One non-baseline variant on one metric, compared with the baseline. None means "not computable"."""

    variant: str
    metric: str
    type: str
    higher_is_better: bool
    n: int
    baseline_n: int | None
    mean: float | None
    baseline_mean: float | None
    # Each interval has the p-value it inverts: ci_abs <-> p_value (the one adjusted and decided on),
    # ci_rel <-> p_value_rel. Both are unadjusted (1 - alpha) intervals.
    effect_abs: float | None = None
    ci_abs: Interval | None = None
    effect_rel: float | None = None
    ci_rel: Interval | None = None
    p_value: float | None = None
    p_value_rel: float | None = None
    p_value_adjusted: float | None = None
    significant: bool = False
    chance_to_win: float | None = None  # from the relative posterior, gbstats' scale (docs/statistics.md)
    risk: float | None = None  # expected loss of shipping this variant, in metric units
    ci_abs_sequential: Interval | None = None
    ci_rel_sequential: Interval | None = None
    # The fixed-horizon standard error of effect_abs. It stays when the intervals become always-valid,
    # because a sample-size calculation (analysis.power) is a fixed-horizon question.
    se_abs: float | None = None
    guardrail: GuardrailResult | None = None
    error_code: ErrorCode | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisReport:
    baseline: str | None
    variants: tuple[str, ...]
    metrics: tuple[str, ...]
    alpha: float
    correction: str
    srm: SRMResult
    results: tuple[MetricResult, ...] = ()
    error_code: ErrorCode | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: tuples become lists, non-finite floats and enums become None and strings."""
        return _plain(dataclasses.asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
