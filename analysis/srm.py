"""Sample ratio mismatch: do the arms hold the share of units the design promised?

A mismatch usually means broken assignment or arm-specific data loss, which biases every comparison,
so it is flagged at a strict threshold (p < 0.001) to keep false alarms rare across many experiments.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from scipy import special

from analysis.codes import ErrorCode

SRM_THRESHOLD = 0.001


@dataclass(frozen=True, slots=True)
class SRMResult:
    p_value: float | None = None
    chi2: float | None = None
    flagged: bool = False
    observed: dict[str, int] = field(default_factory=dict)
    expected: dict[str, float] = field(default_factory=dict)
    error_code: ErrorCode | None = None


def srm_test(
    counts: Mapping[str, int],
    expected_split: Mapping[str, float] | None = None,
    *,
    threshold: float = SRM_THRESHOLD,
) -> SRMResult:
    """Chi-squared goodness of fit of `counts` to `expected_split` (weights, normalised; default equal)."""
    arms = list(counts)
    observed = {arm: int(counts[arm]) for arm in arms}
    if len(arms) < 2:
        return SRMResult(observed=observed, error_code=ErrorCode.SINGLE_ARM)
    weights = {arm: 1.0 for arm in arms} if expected_split is None else dict(expected_split)
    if set(weights) != set(arms) or any(not w > 0.0 for w in weights.values()):
        raise ValueError(
            f"expected_split must give a positive weight to exactly these arms: {', '.join(arms)}"
        )
    total = sum(observed.values())
    if total == 0:
        return SRMResult(observed=observed, error_code=ErrorCode.EMPTY_ARM)
    weight_sum = sum(weights.values())
    expected = {arm: total * weights[arm] / weight_sum for arm in arms}
    # Pearson's statistic and its chi-squared tail (k - 1 degrees of freedom), as scipy.stats.chisquare
    # computes them; scipy.special keeps scipy.stats (a second of import time) out of every CLI start.
    chi2 = sum((observed[a] - expected[a]) ** 2 / expected[a] for a in arms)
    p_value = float(special.chdtrc(len(arms) - 1, chi2))
    return SRMResult(
        p_value=float(p_value),
        chi2=float(chi2),
        flagged=bool(p_value < threshold),
        observed=observed,
        expected=expected,
    )
