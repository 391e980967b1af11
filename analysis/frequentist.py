"""Frequentist comparison of a treatment arm against control: Welch t-test, absolute and relative effects.

Absolute scale (treatment - control): means use Welch's unequal-variance t-test with Welch-Satterthwaite
degrees of freedom; proportions use the Wald z-test (unpooled p(1-p) variances, infinite degrees of
freedom), the usual large-sample test for 0/1 data. The reported p-value is this one.

Relative scale (treatment / control - 1): exactly GrowthBook's gbstats 0.8 TwoSidedTTest, pinned to its
numbers by tests/analysis/test_gbstats_agreement.py: a delta-method variance and Welch-Satterthwaite
degrees of freedom for both kinds (for proportions too, from their p(1-p) variances). The relative
p-value is kept alongside because it is what the relative interval inverts.
"""

import math
from dataclasses import dataclass, replace

from scipy import special

from analysis.boundary import fisher_p_value, newcombe_difference
from analysis.codes import ErrorCode
from analysis.statistics import SampleStats

Interval = tuple[float, float]


@dataclass(frozen=True, slots=True)
class FrequentistResult:
    effect_abs: float | None = None
    se_abs: float | None = None
    ci_abs: Interval | None = None
    p_value: float | None = None
    dof: float | None = None  # of the absolute test: infinite for proportions
    effect_rel: float | None = None
    se_rel: float | None = None
    ci_rel: Interval | None = None
    p_value_rel: float | None = None
    dof_rel: float | None = None
    error_code: ErrorCode | None = None


def t_sf(x: float, dof: float) -> float:
    """Upper tail of Student's t; the normal for infinite dof."""
    return float(special.ndtr(-x)) if math.isinf(dof) else float(special.stdtr(dof, -x))


def t_quantile(p: float, dof: float) -> float:
    return float(special.ndtri(p)) if math.isinf(dof) else float(special.stdtrit(dof, p))


def welch_dof(control: SampleStats, treatment: SampleStats) -> float:
    """Welch-Satterthwaite; an arm with zero variance contributes nothing to either sum."""
    terms = [s.variance / s.n for s in (control, treatment)]
    denominator = sum(term * term / (s.n - 1) for term, s in zip(terms, (control, treatment)))
    return sum(terms) ** 2 / denominator


def _two_sided(estimate: float, se: float, dof: float, alpha: float) -> tuple[Interval, float]:
    width = t_quantile(1.0 - alpha / 2.0, dof) * se
    p_value = min(1.0, 2.0 * t_sf(abs(estimate) / se, dof))
    return (estimate - width, estimate + width), p_value


def input_error(control: SampleStats, treatment: SampleStats) -> ErrorCode | None:
    """The first reason these two arms cannot be compared at all, if any."""
    if control.kind != treatment.kind:
        raise ValueError(f"cannot compare a {control.kind} arm with a {treatment.kind} arm")
    for arm in (control, treatment):
        if arm.error_code is ErrorCode.EMPTY_ARM:
            return ErrorCode.EMPTY_ARM
    for arm in (control, treatment):
        if arm.error_code is not None:
            return arm.error_code
    if control.variance == 0.0 and treatment.variance == 0.0:
        return ErrorCode.ZERO_VARIANCE
    return None


def relative_variance(control: SampleStats, treatment: SampleStats) -> float:
    """Delta-method variance of mean_t / mean_c - 1 (independent arms); control.mean must be non-zero."""
    mc, mt = control.mean, treatment.mean
    return treatment.variance / (mc * mc * treatment.n) + control.variance * mt * mt / (mc**4 * control.n)


def compare(control: SampleStats, treatment: SampleStats, *, alpha: float = 0.05) -> FrequentistResult:
    """Two-sided test and (1 - alpha) intervals for treatment vs control; degenerate input sets error_code."""
    error = input_error(control, treatment)
    if error is ErrorCode.ZERO_VARIANCE and control.kind == "binomial" and control.mean != treatment.mean:
        return _boundary(control, treatment, alpha)
    if error is not None:
        return FrequentistResult(error_code=error)
    dof_rel = welch_dof(control, treatment)
    dof = math.inf if control.kind == "binomial" else dof_rel
    effect_abs = treatment.mean - control.mean
    se_abs = math.sqrt(control.variance / control.n + treatment.variance / treatment.n)
    ci_abs, p_value = _two_sided(effect_abs, se_abs, dof, alpha)
    absolute = FrequentistResult(
        effect_abs=effect_abs, se_abs=se_abs, ci_abs=ci_abs, p_value=p_value, dof=dof
    )
    if control.mean == 0.0:
        return replace(absolute, error_code=ErrorCode.ZERO_BASELINE_MEAN)
    effect_rel = treatment.mean / control.mean - 1.0
    se_rel = math.sqrt(relative_variance(control, treatment))
    if se_rel == 0.0:
        # Control constant and treatment all zeros: the delta method has nothing to say about the ratio.
        return replace(absolute, effect_rel=effect_rel, error_code=ErrorCode.ZERO_VARIANCE)
    ci_rel, p_value_rel = _two_sided(effect_rel, se_rel, dof_rel, alpha)
    return replace(absolute, effect_rel=effect_rel, se_rel=se_rel, ci_rel=ci_rel, p_value_rel=p_value_rel,
                   dof_rel=dof_rel)


def _boundary(control: SampleStats, treatment: SampleStats, alpha: float) -> FrequentistResult:
    """Both proportions at 0 or 1 but different: Fisher's exact p, Newcombe's interval (analysis.boundary).
    se_abs is the normal-equivalent of that interval, for the Bayesian figures."""
    effect_abs = treatment.mean - control.mean
    ci_abs = newcombe_difference(control, treatment, alpha)
    se_abs = (ci_abs[1] - ci_abs[0]) / (2.0 * t_quantile(1.0 - alpha / 2.0, math.inf))
    result = FrequentistResult(effect_abs=effect_abs, se_abs=se_abs, ci_abs=ci_abs,
                               p_value=fisher_p_value(control, treatment), dof=math.inf)
    if control.mean == 0.0:
        return replace(result, error_code=ErrorCode.ZERO_BASELINE_MEAN)
    # Control is all successes here (its proportion is exactly 1): the ratio scales the difference.
    return replace(result, effect_rel=effect_abs / control.mean,
                   ci_rel=(ci_abs[0] / control.mean, ci_abs[1] / control.mean))
