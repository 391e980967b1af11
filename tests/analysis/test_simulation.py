"""Calibration by simulation: the engine's error rates and coverage are what it claims."""

import numpy as np
import pytest
from scipy import stats

from analysis.frequentist import compare
from analysis.sequential import confidence_sequence
from analysis.statistics import SampleStats

ALPHA = 0.05
EXPERIMENTS = 2000


def _mean_arms(rng: np.random.Generator, n: int, loc: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sufficient statistics (n, sum, sum of squares) of EXPERIMENTS skewed samples, vectorised."""
    data = rng.lognormal(mean=loc, sigma=0.6, size=(EXPERIMENTS, n))
    return np.full(EXPERIMENTS, n), data.sum(axis=1), (data**2).sum(axis=1)


@pytest.mark.parametrize("n", [30, 200])
def test_aa_false_positive_rate_for_means(n):
    rng = np.random.default_rng(2024 + n)
    control, treatment = _mean_arms(rng, n, 1.0), _mean_arms(rng, n, 1.0)
    results = [
        compare(SampleStats(int(c[0]), c[1], c[2]), SampleStats(int(t[0]), t[1], t[2]), alpha=ALPHA)
        for c, t in zip(zip(*control), zip(*treatment))
    ]
    false_positive = np.mean([r.p_value < ALPHA for r in results])
    false_positive_rel = np.mean([r.p_value_rel < ALPHA for r in results])
    assert abs(false_positive - ALPHA) <= 0.015
    assert abs(false_positive_rel - ALPHA) <= 0.015


def test_aa_false_positive_rate_for_proportions():
    rng = np.random.default_rng(99)
    n = 400
    successes = rng.binomial(n, 0.3, size=(EXPERIMENTS, 2))
    results = [
        compare(SampleStats.binomial(n, int(c)), SampleStats.binomial(n, int(t))) for c, t in successes
    ]
    assert abs(np.mean([r.p_value < ALPHA for r in results]) - ALPHA) <= 0.015


def test_a_real_effect_is_detected():
    # The same machinery must also have power, or the A/A checks above would pass for a test that never rejects.
    rng = np.random.default_rng(5)
    control, treatment = _mean_arms(rng, 200, 1.0), _mean_arms(rng, 200, 1.3)
    results = [
        compare(SampleStats(int(c[0]), c[1], c[2]), SampleStats(int(t[0]), t[1], t[2]))
        for c, t in list(zip(zip(*control), zip(*treatment)))[:300]
    ]
    assert np.mean([r.p_value < ALPHA for r in results]) > 0.8


STREAMS, LOOKS, PER_LOOK = 500, 20, 50
TRUE_MEANS = (2.0, 2.2)


def _peeking_streams() -> list[list[tuple[SampleStats, SampleStats]]]:
    """Cumulative statistics of each arm at every look, for STREAMS independent experiments."""
    rng = np.random.default_rng(11)
    arms = []
    for mean in TRUE_MEANS:
        data = rng.normal(mean, 1.5, size=(STREAMS, LOOKS * PER_LOOK))
        sums = np.cumsum(data, axis=1)[:, PER_LOOK - 1 :: PER_LOOK]
        squares = np.cumsum(data**2, axis=1)[:, PER_LOOK - 1 :: PER_LOOK]
        arms.append((sums, squares))
    (sc, qc), (st, qt) = arms
    ns = PER_LOOK * np.arange(1, LOOKS + 1)
    return [
        [
            (SampleStats(int(ns[k]), sc[s, k], qc[s, k]), SampleStats(int(ns[k]), st[s, k], qt[s, k]))
            for k in range(LOOKS)
        ]
        for s in range(STREAMS)
    ]


def _covers(interval: tuple[float, float], truth: float) -> bool:
    return interval[0] <= truth <= interval[1]


def test_confidence_sequences_cover_under_continuous_peeking():
    true_abs = TRUE_MEANS[1] - TRUE_MEANS[0]
    true_rel = TRUE_MEANS[1] / TRUE_MEANS[0] - 1
    covered_abs = covered_rel = covered_naive = 0
    for stream in _peeking_streams():
        sequences = [confidence_sequence(c, t, alpha=ALPHA) for c, t in stream]
        covered_abs += all(_covers(r.ci_abs, true_abs) for r in sequences)
        covered_rel += all(_covers(r.ci_rel, true_rel) for r in sequences)
        covered_naive += all(_covers(compare(c, t, alpha=ALPHA).ci_abs, true_abs) for c, t in stream)
    assert covered_abs / STREAMS >= 0.95
    assert covered_rel / STREAMS >= 0.95
    # Fixed-horizon intervals read at every look do lose coverage: the simulation can tell the difference.
    assert covered_naive / STREAMS < 0.90


def test_sequence_is_wider_than_fixed_interval_but_shrinks():
    rng = np.random.default_rng(1)
    widths = []
    for n in (100, 1000, 10000):
        a, b = rng.normal(0, 1, n), rng.normal(0, 1, n)
        c = SampleStats(n, a.sum(), (a**2).sum())
        t = SampleStats(n, b.sum(), (b**2).sum())
        sequential, fixed = confidence_sequence(c, t).ci_abs, compare(c, t).ci_abs
        assert sequential[1] - sequential[0] > fixed[1] - fixed[0]
        widths.append(sequential[1] - sequential[0])
    assert widths == sorted(widths, reverse=True)
    # Sanity of scale: at n=10000 per arm the fixed 95% half-width is ~1.96*sqrt(2/n).
    assert widths[-1] / 2 < 3 * stats.norm.ppf(0.975) * np.sqrt(2 / 10000)
