import math

import pytest
from scipy import integrate, stats

from analysis.bayesian import NormalPrior, bayesian_compare
from analysis.codes import ErrorCode


def _posterior_by_quadrature(effect, se, prior):
    """Unnormalised likelihood x prior integrated numerically: an independent route to the posterior."""

    def density(d):
        prior_density = 1.0 if prior is None else stats.norm.pdf(d, prior.mean, prior.sd)
        return stats.norm.pdf(effect, d, se) * prior_density

    lo, hi = effect - 12 * se, effect + 12 * se
    mass = integrate.quad(density, lo, hi, points=[0.0], limit=200)[0]
    win = integrate.quad(density, 0.0, hi, limit=200)[0] / mass if hi > 0 else 0.0
    loss_ship = integrate.quad(lambda d: -d * density(d), lo, 0.0, limit=200)[0] / mass if lo < 0 else 0.0
    loss_keep = integrate.quad(lambda d: d * density(d), 0.0, hi, limit=200)[0] / mass if hi > 0 else 0.0
    return win, loss_ship, loss_keep


@pytest.mark.parametrize(
    ("effect", "se", "prior"),
    [
        (0.05, 0.02, None),
        (-0.01, 0.03, None),
        (0.0, 1.0, None),
        (0.4, 0.3, NormalPrior(0.0, 0.2)),
        (-2.0, 1.5, NormalPrior(0.0, 1.0)),
    ],
)
def test_chance_to_win_and_risk_match_quadrature(effect, se, prior):
    result = bayesian_compare(effect, se, prior=prior)
    win, loss_ship, loss_keep = _posterior_by_quadrature(effect, se, prior)
    assert result.chance_to_win == pytest.approx(win, abs=1e-6)
    assert result.risk == pytest.approx(loss_ship, abs=1e-6)
    assert result.risk_control == pytest.approx(loss_keep, abs=1e-6)


def test_lower_is_better_flips_the_direction():
    up = bayesian_compare(0.1, 0.05, higher_is_better=True)
    down = bayesian_compare(0.1, 0.05, higher_is_better=False)
    assert up.chance_to_win == pytest.approx(1 - down.chance_to_win)
    assert up.risk == pytest.approx(down.risk_control)


def test_prior_shrinks_towards_no_effect():
    flat = bayesian_compare(0.3, 0.2)
    shrunk = bayesian_compare(0.3, 0.2, prior=NormalPrior(0.0, 0.1))
    assert 0.0 < shrunk.posterior_mean < flat.posterior_mean
    assert shrunk.chance_to_win < flat.chance_to_win


def test_flat_credible_interval_equals_normal_interval():
    result = bayesian_compare(1.0, 0.5, alpha=0.1)
    half = stats.norm.ppf(0.95) * 0.5
    assert result.credible_interval == pytest.approx((1.0 - half, 1.0 + half))
    assert math.isclose(result.chance_to_win, stats.norm.cdf(2.0))


@pytest.mark.parametrize(("effect", "se"), [(None, None), (0.1, 0.0), (0.1, None)])
def test_missing_standard_error_is_an_error_code(effect, se):
    assert bayesian_compare(effect, se).error_code is ErrorCode.ZERO_VARIANCE
