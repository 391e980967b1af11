import numpy as np
import pytest
from scipy import optimize

from analysis.bradley_terry import bradley_terry, comparisons_from_wins, fit_strengths
from analysis.codes import ErrorCode


def _mle_by_optimizer(wins: np.ndarray) -> np.ndarray:
    """Maximise the Bradley-Terry log-likelihood directly (BFGS on log-strengths): an independent fit."""
    k = wins.shape[0]

    def negative_log_likelihood(free: np.ndarray) -> float:
        theta = np.concatenate([[0.0], free])
        log_sum = np.logaddexp(theta[:, None], theta[None, :])
        return -float(np.sum(wins * (theta[:, None] - log_sum)))

    fit = optimize.minimize(negative_log_likelihood, np.zeros(k - 1), method="BFGS", options={"gtol": 1e-12})
    strengths = np.exp(np.concatenate([[0.0], fit.x]))
    return strengths / strengths.sum()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mm_fit_matches_direct_likelihood_maximisation(seed):
    rng = np.random.default_rng(seed)
    k = 4
    wins = rng.integers(1, 20, size=(k, k)).astype(float)
    np.fill_diagonal(wins, 0.0)
    assert fit_strengths(wins) == pytest.approx(_mle_by_optimizer(wins), abs=1e-6)


def _simulate(strengths: dict[str, float], n: int, seed: int) -> list[tuple[str, str, float]]:
    rng = np.random.default_rng(seed)
    arms = list(strengths)
    comparisons = []
    for _ in range(n):
        a, b = rng.choice(arms, size=2, replace=False)
        p_a = strengths[a] / (strengths[a] + strengths[b])
        comparisons.append((str(a), str(b), float(rng.uniform() < p_a)))
    return comparisons


def test_recovers_known_strengths_and_ranks():
    truth = {"champion": 0.5, "middle_a": 0.2, "middle_b": 0.2, "weak": 0.1}
    result = bradley_terry(_simulate(truth, 3000, seed=4), n_bootstrap=400, seed=1)
    by_arm = {arm.arm: arm for arm in result.arms}
    for arm, strength in truth.items():
        assert by_arm[arm].strength == pytest.approx(strength, abs=0.04)
        assert by_arm[arm].ci_low < by_arm[arm].strength < by_arm[arm].ci_high
    assert by_arm["champion"].rank == 1
    assert by_arm["middle_a"].rank == by_arm["middle_b"].rank == 2  # indistinguishable arms share a rank
    assert by_arm["weak"].rank == 4
    assert result.arms[0].arm == "champion"
    assert sum(a.strength for a in result.arms) == pytest.approx(1.0)


def test_rank_counts_arms_wholly_above():
    result = bradley_terry(_simulate({"a": 0.6, "b": 0.25, "c": 0.15}, 600, seed=9), n_bootstrap=300)
    for arm in result.arms:
        above = sum(other.ci_low > arm.ci_high for other in result.arms if other is not arm)
        assert arm.rank == 1 + above


def test_bootstrap_is_seeded():
    comparisons = _simulate({"a": 0.5, "b": 0.3, "c": 0.2}, 200, seed=3)
    first = bradley_terry(comparisons, n_bootstrap=200, seed=7)
    again = bradley_terry(comparisons, n_bootstrap=200, seed=7)
    other = bradley_terry(comparisons, n_bootstrap=200, seed=8)
    assert first == again
    assert first.arms[0].ci_low != other.arms[0].ci_low


def test_unbeaten_arm_stays_finite_and_ties_count_half():
    comparisons = [("a", "b", 1.0)] * 10 + [("b", "c", 0.5)] * 4
    result = bradley_terry(comparisons, n_bootstrap=100)
    by_arm = {arm.arm: arm for arm in result.arms}
    assert all(np.isfinite([a.strength, a.ci_low, a.ci_high]).all() for a in result.arms)
    assert by_arm["a"].strength > by_arm["b"].strength
    assert by_arm["b"].wins == pytest.approx(2.0) and by_arm["c"].wins == pytest.approx(2.0)
    assert by_arm["b"].comparisons == 14


def test_win_matrix_expands_to_comparisons():
    comparisons = comparisons_from_wins(["x", "y"], [[0, 3], [1, 0]])
    assert sorted(comparisons) == [("x", "y", 1.0)] * 3 + [("y", "x", 1.0)]
    with pytest.raises(ValueError, match="whole counts"):
        comparisons_from_wins(["x", "y"], [[0, 1.5], [1, 0]])


def test_no_comparisons_is_an_error_code():
    assert bradley_terry([]).error_code is ErrorCode.NO_COMPARISONS


@pytest.mark.parametrize(
    ("comparisons", "message"), [([("a", "a", 1.0)], "itself"), ([("a", "b", 2.0)], r"\[0, 1\]")]
)
def test_invalid_comparisons_raise(comparisons, message):
    with pytest.raises(ValueError, match=message):
        bradley_terry(comparisons)


def _naive_bootstrap(comparisons, n_bootstrap: int, seed: int, pseudo_count: float = 0.5) -> np.ndarray:
    """The textbook bootstrap, independent of bradley_terry's grouping: resample the games one by one."""
    arms = sorted({a for a, _, _ in comparisons} | {b for _, b, _ in comparisons})
    index = {arm: i for i, arm in enumerate(arms)}
    k, m = len(arms), len(comparisons)
    prior = np.full((k, k), pseudo_count / 2.0)
    np.fill_diagonal(prior, 0.0)
    picks = np.random.default_rng(seed).integers(0, m, size=(n_bootstrap, m))
    wins = np.zeros((n_bootstrap, k, k))
    for game, (a, b, score) in enumerate(comparisons):
        taken = (picks == game).sum(axis=1)
        wins[:, index[a], index[b]] += taken * score
        wins[:, index[b], index[a]] += taken * (1.0 - score)
    return fit_strengths(wins + prior)


def test_grouped_bootstrap_matches_resampling_games_one_by_one():
    # ties included, and one arm seen mostly from the "wrong" side, so grouping must fold (b, a, 0) into (a, b, 1)
    truth = {"a": 0.45, "b": 0.3, "c": 0.15, "d": 0.1}
    comparisons = _simulate(truth, 300, seed=11) + [("c", "b", 0.5)] * 20 + [("d", "a", 0.0)] * 15
    n_bootstrap = 2000
    grouped = bradley_terry(comparisons, n_bootstrap=n_bootstrap, seed=3)
    naive = _naive_bootstrap(comparisons, n_bootstrap, seed=4)
    lows, highs = np.quantile(naive, [0.025, 0.975], axis=0)
    # A 2.5% quantile of B draws has a Monte-Carlo standard error of about 2.7 sd / sqrt(B) for a roughly
    # normal spread; the two estimates differ by sqrt(2) times that: allow four of those standard errors.
    tolerance = 4 * np.sqrt(2) * 2.7 * naive.std(axis=0) / np.sqrt(n_bootstrap)
    for i, arm in enumerate(sorted(truth)):
        result = next(r for r in grouped.arms if r.arm == arm)
        assert result.ci_low == pytest.approx(lows[i], abs=tolerance[i])
        assert result.ci_high == pytest.approx(highs[i], abs=tolerance[i])
        naive_rank = 1 + int(np.sum(lows > highs[i]))
        assert result.rank == naive_rank


def test_warm_start_reaches_the_same_fit():
    rng = np.random.default_rng(5)
    wins = rng.integers(0, 15, size=(50, 5, 5)).astype(float) + 0.25
    cold = fit_strengths(wins)
    warm = fit_strengths(wins, start=np.array([0.5, 0.2, 0.1, 0.1, 0.1]))
    assert warm == pytest.approx(cold, abs=1e-8)
