"""Always-valid confidence sequences, so a dashboard may be looked at after every session.

The asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas ("Time-uniform
central limit theory", 2023), the form GrowthBook's sequential testing uses: with N the combined sample
size and s^2 = SE^2 * N the per-observation variance,

    half-width = s * sqrt( 2 (N rho^2 + 1) / (N rho)^2 * ln( sqrt(N rho^2 + 1) / alpha ) )

where rho is chosen so the sequence is tightest near N = `tuning` observations. Coverage holds
simultaneously over all looks, at the price of wider intervals than a fixed-horizon test.
"""

import math
from dataclasses import dataclass

from analysis.codes import ErrorCode
from analysis.frequentist import input_error, relative_variance
from analysis.statistics import SampleStats

Interval = tuple[float, float]
DEFAULT_TUNING = 5000.0


@dataclass(frozen=True, slots=True)
class SequentialResult:
    ci_abs: Interval | None = None
    ci_rel: Interval | None = None
    error_code: ErrorCode | None = None


def mixing_rho(alpha: float, tuning: float) -> float:
    log_alpha = math.log(alpha)
    return math.sqrt((-2.0 * log_alpha + math.log(-2.0 * log_alpha + 1.0)) / tuning)


def halfwidth(se: float, n_total: int, *, alpha: float, tuning: float = DEFAULT_TUNING) -> float:
    """Half-width for an estimator with standard error `se` after `n_total` observations in all arms."""
    rho2 = mixing_rho(alpha, tuning) ** 2
    s2 = se * se * n_total
    grow = n_total * rho2 + 1.0
    return math.sqrt(s2 * 2.0 * grow / (n_total * n_total * rho2) * math.log(math.sqrt(grow) / alpha))


def confidence_sequence(
    control: SampleStats,
    treatment: SampleStats,
    *,
    alpha: float = 0.05,
    tuning: float = DEFAULT_TUNING,
) -> SequentialResult:
    if not 0.0 < alpha < 1.0 or tuning <= 0.0:
        raise ValueError("alpha must lie in (0, 1) and tuning must be positive")
    error = input_error(control, treatment)
    if error is not None:
        return SequentialResult(error_code=error)
    n_total = control.n + treatment.n
    effect_abs = treatment.mean - control.mean
    se_abs = math.sqrt(control.variance / control.n + treatment.variance / treatment.n)
    w = halfwidth(se_abs, n_total, alpha=alpha, tuning=tuning)
    ci_abs = (effect_abs - w, effect_abs + w)
    if control.mean == 0.0:
        return SequentialResult(ci_abs=ci_abs, error_code=ErrorCode.ZERO_BASELINE_MEAN)
    effect_rel = treatment.mean / control.mean - 1.0
    se_rel = math.sqrt(relative_variance(control, treatment))
    if se_rel == 0.0:
        return SequentialResult(ci_abs=ci_abs, error_code=ErrorCode.ZERO_VARIANCE)
    w_rel = halfwidth(se_rel, n_total, alpha=alpha, tuning=tuning)
    return SequentialResult(ci_abs=ci_abs, ci_rel=(effect_rel - w_rel, effect_rel + w_rel))
