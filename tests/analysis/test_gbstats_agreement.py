"""The relative figures agree with GrowthBook's engine, gbstats 0.8, to 1e-6 on the same sufficient statistics.

data/gbstats_reference.csv is written by tools/gbstats_reference.py, run in an environment of its own
(gbstats pins pandas < 2); the script says how to regenerate it. Each row holds two arms' n / sum / sum of
squares and what gbstats' TwoSidedTTest and EffectBayesianABTest made of them on the relative scale.
"""

import csv
from pathlib import Path

import pytest

from analysis.bayesian import NormalPrior
from analysis.codes import ErrorCode
from analysis.engine import analyze
from analysis.frequentist import compare
from analysis.report import MetricResult
from analysis.rows import MetricRow

TABLE = Path(__file__).parent / "data" / "gbstats_reference.csv"
TOLERANCE = 1e-6

with TABLE.open(newline="") as handle:
    ROWS = list(csv.DictReader(handle))
COMPUTED = [row for row in ROWS if not row["error"]]


def _rows(row: dict[str, str]) -> list[MetricRow]:
    better = row["higher_is_better"] == "True"
    return [
        MetricRow(arm, "metric", row["kind"], int(row[f"n_{s}"]), float(row[f"sum_{s}"]),
                  float(row[f"sum_squares_{s}"]), better)
        for arm, s in (("control", "c"), ("v1", "t"))
    ]


def _analyze(row: dict[str, str]) -> MetricResult:
    prior = NormalPrior(float(row["prior_mean"]), float(row["prior_sd"])) if row["prior_sd"] else None
    (result,) = analyze(_rows(row), "control", alpha=float(row["alpha"]), prior=prior).results
    return result


def _negative_baseline(row: dict[str, str]) -> bool:
    return float(row["sum_c"]) < 0.0


def _case(row: dict[str, str]) -> str:
    return row["case"]


def test_the_table_keeps_its_hard_cases():
    """A regenerated table that lost its small samples, a direction or a prior would pass too easily."""
    assert {row["kind"] for row in COMPUTED} == {"binomial", "mean"}
    assert any(int(row["n_c"]) < 10 and row["kind"] == "binomial" for row in COMPUTED)
    assert any(int(row["n_c"]) < 10 and row["kind"] == "mean" for row in COMPUTED)
    assert any(float(row["effect_rel"]) < 0 for row in COMPUTED)
    assert any(row["higher_is_better"] == "False" for row in COMPUTED)
    assert any(row["prior_sd"] for row in COMPUTED) and any(row["alpha"] != "0.05" for row in COMPUTED)
    assert len(COMPUTED) >= 25


@pytest.mark.parametrize("row", COMPUTED, ids=_case)
def test_relative_effect_interval_and_p_value_match_gbstats(row):
    result = _analyze(row)
    assert result.error_code is None
    assert result.effect_rel == pytest.approx(float(row["effect_rel"]), abs=TOLERANCE)
    assert result.ci_rel == pytest.approx((float(row["ci_rel_low"]), float(row["ci_rel_high"])), abs=TOLERANCE)
    assert result.p_value_rel == pytest.approx(float(row["p_value_rel"]), abs=TOLERANCE)
    control, treatment = (r.stats() for r in _rows(row))
    frequentist = compare(control, treatment, alpha=float(row["alpha"]))
    assert frequentist.se_rel == pytest.approx(float(row["se_rel"]), rel=TOLERANCE)
    assert frequentist.dof_rel == pytest.approx(float(row["dof"]), rel=TOLERANCE)


@pytest.mark.parametrize("row", [r for r in COMPUTED if not _negative_baseline(r)], ids=_case)
def test_chance_to_win_matches_gbstats(row):
    assert _analyze(row).chance_to_win == pytest.approx(float(row["chance_to_win"]), abs=TOLERANCE)


@pytest.mark.parametrize("row", [r for r in COMPUTED if _negative_baseline(r)], ids=_case)
def test_below_a_negative_baseline_chance_to_win_is_gbstats_turned_round(row):
    """treatment / control - 1 falls as the treatment mean rises when control is negative; gbstats 0.8
    still calls a rise in that ratio a win. We read the metric's direction, so ours is 1 - theirs."""
    result = _analyze(row)
    assert result.mean > result.baseline_mean and result.chance_to_win > 0.5
    assert result.chance_to_win == pytest.approx(1.0 - float(row["chance_to_win"]), abs=TOLERANCE)


@pytest.mark.parametrize("row", [r for r in ROWS if r["error"] == "ZERO_NEGATIVE_BASELINE_VARIATION"], ids=_case)
def test_a_zero_baseline_has_no_relative_figures_in_either_engine(row):
    result = _analyze(row)
    assert result.error_code is ErrorCode.ZERO_BASELINE_MEAN
    assert (result.effect_rel, result.ci_rel, result.p_value_rel) == (None, None, None)
    # gbstats answers a placeholder 0.5; a probability needs no unit, so ours reads the absolute posterior.
    assert result.ci_abs is not None and result.chance_to_win > 0.5


@pytest.mark.parametrize("row", [r for r in ROWS if r["error"] == "ZERO_NEGATIVE_VARIANCE"], ids=_case)
def test_one_constant_arm_is_compared_where_gbstats_declines(row):
    """Control all successes: gbstats stops at the zero variance; the other arm's variance carries ours."""
    result = _analyze(row)
    assert result.error_code is None and result.ci_rel is not None and result.p_value_rel is not None
