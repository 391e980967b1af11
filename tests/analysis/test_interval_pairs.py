"""Every interval the engine reports agrees with the p-value stored beside it, right at the edge.

An analyst reads an interval next to a p-value: "excludes 0" and "p < alpha" must be the same
statement, or the pair contradicts itself. ci_abs pairs with p_value (the one the decision adjusts),
ci_rel with p_value_rel. The grid straddles the edge: arms of n = 16..200 with every success count,
so for each n some comparisons fall just either side of p = alpha.
"""

from functools import cache

import pytest

from analysis.engine import analyze
from analysis.report import MetricResult
from analysis.rows import MetricRow

ALPHA = 0.05


def _excludes_zero(ci: tuple[float, float]) -> bool:
    return ci[0] > 0.0 or ci[1] < 0.0


def _compare(control: MetricRow, treatment: MetricRow) -> MetricResult:
    (result,) = analyze([control, treatment], "control", alpha=ALPHA).results
    return result


@cache  # two tests read it; the engine runs ~5,000 comparisons to build it
def _proportion_grid() -> list[MetricResult]:
    results = []
    for n in range(16, 201, 8):
        for share in (0.2, 0.5):
            successes = round(share * n)
            control = MetricRow("control", "task_success", "binomial", n, successes, successes)
            for t in range(n + 1):
                treatment = MetricRow("v1", "task_success", "binomial", n, t, t)
                results.append(_compare(control, treatment))
    # 0/n against n/n goes to Fisher + Newcombe (analysis.boundary), a different pair: not this test's.
    return [r for r in results if r.error_code is None]


def _mean_grid() -> list[MetricResult]:
    """Welch on means with finite degrees of freedom (small n, unequal spreads)."""
    results = []
    for n in range(16, 201, 23):
        control = MetricRow("control", "time_s", "mean", n, n * 10.0, (n - 1) * 4.0 + n * 100.0)
        for step in range(-40, 41):
            mean, var, m = 10.0 + step * 0.05, 9.0, n + 3
            treatment = MetricRow("v1", "time_s", "mean", m, m * mean, (m - 1) * var + m * mean * mean)
            results.append(_compare(control, treatment))
    return [r for r in results if r.error_code is None]


@pytest.mark.parametrize("grid", [_proportion_grid, _mean_grid], ids=["proportions", "means"])
def test_each_interval_excludes_zero_exactly_when_its_p_value_is_below_alpha(grid):
    results = grid()
    near_edge = [r for r in results if ALPHA / 2 < r.p_value < 2 * ALPHA]
    assert sum(r.p_value < ALPHA for r in near_edge) > 10 and sum(r.p_value >= ALPHA for r in near_edge) > 10
    for r in results:
        assert _excludes_zero(r.ci_abs) == (r.p_value < ALPHA), (r.n, r.mean, r.baseline_mean, r.p_value, r.ci_abs)
        assert _excludes_zero(r.ci_rel) == (r.p_value_rel < ALPHA), (r.n, r.mean, r.p_value_rel, r.ci_rel)


def test_the_relative_interval_does_disagree_with_the_absolute_p_value():
    """Why both pairs are stored: the relative interval beside the absolute p contradicts it on this grid."""
    results = _proportion_grid()
    crossed = [r for r in results if _excludes_zero(r.ci_rel) != (r.p_value < ALPHA)]
    assert crossed, "no disagreement left; storing one pair would then be enough"
