"""Each arm's own interval: Wilson for proportions, t for means, every arm with data kept."""

from __future__ import annotations

import math

import pytest

from analysis.arm_intervals import ArmInterval, arm_intervals
from analysis.codes import ErrorCode
from analysis.rows import MetricRow


def test_arm_intervals_keep_every_arm_with_data() -> None:
    ratings = [4, 5, 3, 4, 4]
    n, s, ss = len(ratings), sum(ratings), sum(r * r for r in ratings)
    out = arm_intervals([
        MetricRow(variant="v1", metric="rating", type="mean", n=n, sum=s, sum_squares=ss),
        MetricRow(variant="v2", metric="rating", type="mean", n=0, sum=0, sum_squares=0),
        MetricRow(variant="v3", metric="rating", type="mean", n=1, sum=5, sum_squares=25),
        MetricRow(variant="v4", metric="task_success", type="binomial", n=16, sum=0, sum_squares=0),
    ])
    assert [o.arm for o in out] == ["v1", "v3", "v4"]  # an arm with no data at all has nothing to draw
    mean, sd = 4.0, math.sqrt(0.5)
    half = 2.7764451051977987 * sd / math.sqrt(n)  # t(0.975, 4)
    assert out[0].mean == pytest.approx(mean) and out[0].error_code is None
    assert (out[0].ci_low, out[0].ci_high) == pytest.approx((mean - half, mean + half))
    assert out[1] == ArmInterval(arm="v3", metric="rating", n=1, mean=5.0, error_code=ErrorCode.TOO_FEW_SAMPLES)
    # 0 of 16: Wilson's interval still has a width (Wald's would be [0, 0]).
    assert (out[2].ci_low, out[2].ci_high) == pytest.approx((0.0, 0.19360), abs=1e-5)


@pytest.mark.parametrize(("successes", "n", "low", "high"), [
    (1, 1, 0.20654, 1.0),  # one observation of a proportion still has Wilson's interval
    (8, 10, 0.49016, 0.94332),
])
def test_proportions_take_wilsons_interval(successes: int, n: int, low: float, high: float) -> None:
    (out,) = arm_intervals([MetricRow(variant="a", metric="m", type="binomial", n=n, sum=successes,
                                      sum_squares=successes)])
    assert (out.ci_low, out.ci_high) == pytest.approx((low, high), abs=1e-5) and out.error_code is None
