import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats import proportion as sm_proportion

from analysis.codes import ErrorCode
from analysis.frequentist import compare
from analysis.statistics import SampleStats
from tests.analysis.helpers import stats_of


@pytest.mark.parametrize(
    ("seed", "n_control", "n_treatment", "shift", "scale", "alpha"),
    [
        (1, 40, 55, 0.0, 1.0, 0.05),
        (2, 200, 180, 0.3, 2.5, 0.05),
        (3, 12, 9, 1.0, 0.2, 0.10),
        (4, 1000, 1200, -0.05, 1.0, 0.01),
    ],
)
def test_means_match_scipy_welch_on_raw_data(seed, n_control, n_treatment, shift, scale, alpha):
    rng = np.random.default_rng(seed)
    a = rng.normal(10.0, 3.0, n_control)
    b = rng.normal(10.0 + shift, 3.0 * scale, n_treatment)
    result = compare(stats_of(a), stats_of(b), alpha=alpha)

    reference = stats.ttest_ind(b, a, equal_var=False)
    ci = reference.confidence_interval(confidence_level=1 - alpha)
    assert result.error_code is None
    assert result.effect_abs == pytest.approx(b.mean() - a.mean(), abs=1e-9)
    assert result.p_value == pytest.approx(reference.pvalue, abs=1e-6)
    assert result.dof == pytest.approx(reference.df, rel=1e-6)
    assert result.ci_abs[0] == pytest.approx(ci.low, abs=1e-6)
    assert result.ci_abs[1] == pytest.approx(ci.high, abs=1e-6)


@pytest.mark.parametrize(
    ("successes_c", "n_c", "successes_t", "n_t", "alpha"),
    [
        (120, 200, 150, 205, 0.05),
        (31, 400, 30, 390, 0.05),
        (500, 1000, 560, 1000, 0.10),
        (3, 50, 9, 48, 0.05),
    ],
)
def test_proportions_match_statsmodels_wald(successes_c, n_c, successes_t, n_t, alpha):
    result = compare(
        SampleStats.binomial(n_c, successes_c), SampleStats.binomial(n_t, successes_t), alpha=alpha
    )

    reference = sm_proportion.test_proportions_2indep(
        successes_t, n_t, successes_c, n_c, method="wald", compare="diff"
    )
    low, high = sm_proportion.confint_proportions_2indep(
        successes_t, n_t, successes_c, n_c, method="wald", compare="diff", alpha=alpha
    )
    assert math.isinf(result.dof)
    assert result.p_value == pytest.approx(reference.pvalue, abs=1e-6)
    assert result.ci_abs == pytest.approx((low, high), abs=1e-6)


def test_relative_effect_uses_delta_method_with_welch_dof():
    rng = np.random.default_rng(7)
    a = rng.exponential(4.0, 300)
    b = rng.exponential(4.6, 260)
    result = compare(stats_of(a), stats_of(b), alpha=0.05)

    # Independent computation from the raw samples: delta method for mean_b / mean_a - 1.
    va, vb = a.var(ddof=1), b.var(ddof=1)
    ma, mb = a.mean(), b.mean()
    se = math.sqrt(vb / (ma**2 * len(b)) + va * mb**2 / (ma**4 * len(a)))
    dof = stats.ttest_ind(b, a, equal_var=False).df
    half = stats.t.ppf(0.975, dof) * se
    assert result.effect_rel == pytest.approx(mb / ma - 1, abs=1e-9)
    assert result.se_rel == pytest.approx(se, abs=1e-9)
    assert result.ci_rel == pytest.approx((mb / ma - 1 - half, mb / ma - 1 + half), abs=1e-6)
    assert result.p_value_rel == pytest.approx(2 * stats.t.sf(abs(mb / ma - 1) / se, dof), abs=1e-6)


@pytest.mark.filterwarnings("ignore:Precision loss occurred")  # scipy's note on the constant arm
def test_one_constant_arm_is_still_comparable():
    rng = np.random.default_rng(3)
    constant = np.full(20, 5.0)
    varying = rng.normal(6.0, 1.0, 25)
    result = compare(stats_of(constant), stats_of(varying))
    reference = stats.ttest_ind(varying, constant, equal_var=False)
    assert result.error_code is None
    assert result.p_value == pytest.approx(reference.pvalue, abs=1e-6)


@pytest.mark.parametrize(
    ("control", "treatment", "code"),
    [
        (SampleStats(0, 0, 0), SampleStats(10, 5, 5), ErrorCode.EMPTY_ARM),
        (SampleStats(10, 5, 5), SampleStats(0, 0, 0), ErrorCode.EMPTY_ARM),
        (SampleStats(1, 3, 9), SampleStats(10, 5, 5), ErrorCode.TOO_FEW_SAMPLES),
        (SampleStats(5, 10, 20), SampleStats(6, 18, 54), ErrorCode.ZERO_VARIANCE),
        (SampleStats.binomial(40, 0), SampleStats.binomial(40, 0), ErrorCode.ZERO_VARIANCE),
        (SampleStats.binomial(40, 40), SampleStats.binomial(30, 30), ErrorCode.ZERO_VARIANCE),
        (SampleStats.binomial(40, 0), SampleStats.binomial(40, 4), ErrorCode.ZERO_BASELINE_MEAN),
    ],
)
def test_degenerate_input_returns_error_codes(control, treatment, code):
    result = compare(control, treatment)
    assert result.error_code is code


def test_zero_baseline_keeps_the_absolute_comparison():
    result = compare(SampleStats.binomial(40, 0), SampleStats.binomial(40, 4))
    assert result.p_value is not None and result.ci_abs is not None
    assert result.effect_rel is None and result.ci_rel is None


def test_mixing_metric_types_is_a_programming_error():
    with pytest.raises(ValueError, match="cannot compare"):
        compare(SampleStats.binomial(10, 3), SampleStats(10, 3.0, 3.0))


def test_constant_data_with_rounding_noise_counts_as_zero_variance():
    values = np.full(1000, 0.1)
    assert stats_of(values).variance == 0.0


def test_proportions_at_the_boundary_use_fisher_and_newcombe():
    """0/12 against 12/12: no Wald variance, but overwhelming evidence (golden numbers from scipy and
    an independent Newcombe computation)."""
    import math

    from scipy.stats import fisher_exact

    from analysis.frequentist import compare
    from analysis.statistics import SampleStats

    control, treatment = SampleStats.binomial(12, 0), SampleStats.binomial(12, 12)
    result = compare(control, treatment)
    assert result.p_value == pytest.approx(fisher_exact([[0, 12], [12, 0]]).pvalue, abs=1e-12)
    assert result.effect_abs == 1.0 and result.error_code == "ZERO_BASELINE_MEAN"
    z = 1.959963984540054
    upper_wilson_zero = (z * z / 24) / (1 + z * z / 12) + z * math.sqrt(z * z / (4 * 144)) / (1 + z * z / 12)
    assert result.ci_abs[0] == pytest.approx(1 - math.sqrt(2 * upper_wilson_zero**2), abs=1e-9)
    assert result.ci_abs[1] == pytest.approx(1.0, abs=1e-9)
    reverse = compare(treatment, control)  # all succeed on control, none on treatment: harm, relative -100%
    assert reverse.effect_rel == -1.0 and reverse.ci_rel[1] < 0 and reverse.error_code is None
    same = compare(SampleStats.binomial(12, 12), SampleStats.binomial(12, 12))
    assert same.error_code == "ZERO_VARIANCE" and same.p_value is None
