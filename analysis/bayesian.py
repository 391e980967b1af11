"""Bayesian read-out of an effect estimate: chance to beat control and expected loss (risk).

The effect (absolute or relative; the caller picks the scale) is approximated as normal with the
frequentist estimate and standard error as its likelihood. With no prior the posterior is that normal
(a flat prior); a weak normal prior centred on "no effect" shrinks small, noisy effects towards zero.
"""

import math
from dataclasses import dataclass

from scipy import special

from analysis.codes import ErrorCode

Interval = tuple[float, float]


@dataclass(frozen=True, slots=True)
class NormalPrior:
    mean: float = 0.0
    sd: float = 1.0

    def scaled(self, factor: float) -> "NormalPrior":
        """The same belief about factor * effect, e.g. a relative effect carried to metric units."""
        return NormalPrior(self.mean * factor, self.sd * abs(factor))


@dataclass(frozen=True, slots=True)
class BayesianResult:
    chance_to_win: float | None = None  # P(treatment is better than control), direction-aware
    risk: float | None = None  # expected loss of shipping the treatment, in effect units, >= 0
    risk_control: float | None = None  # expected loss of keeping control instead
    posterior_mean: float | None = None
    posterior_sd: float | None = None
    credible_interval: Interval | None = None
    error_code: ErrorCode | None = None


def posterior(effect: float, se: float, prior: NormalPrior | None) -> tuple[float, float]:
    """Conjugate normal update; a None prior is flat."""
    if prior is None:
        return effect, se
    precision = 1.0 / se**2 + 1.0 / prior.sd**2
    mean = (effect / se**2 + prior.mean / prior.sd**2) / precision
    return mean, math.sqrt(1.0 / precision)


def bayesian_compare(
    effect: float | None,
    se: float | None,
    *,
    higher_is_better: bool = True,
    prior: NormalPrior | None = None,
    alpha: float = 0.05,
) -> BayesianResult:
    if effect is None or se is None or not se > 0.0:
        return BayesianResult(error_code=ErrorCode.ZERO_VARIANCE)
    mean, sd = posterior(effect, se, prior)
    # Work with the improvement D in the metric's good direction; D ~ N(m, sd^2).
    m = mean if higher_is_better else -mean
    z = m / sd
    density = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    loss_ship = sd * density - m * float(special.ndtr(-z))  # E[max(-D, 0)]
    loss_keep = sd * density + m * float(special.ndtr(z))  # E[max(D, 0)]
    half = float(special.ndtri(1.0 - alpha / 2.0)) * sd
    return BayesianResult(
        chance_to_win=float(special.ndtr(z)),
        risk=max(loss_ship, 0.0),
        risk_control=max(loss_keep, 0.0),
        posterior_mean=mean,
        posterior_sd=sd,
        credible_interval=(mean - half, mean + half),
    )
