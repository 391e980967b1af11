"""Reference numbers from GrowthBook's stats engine (gbstats 0.8) for tests/analysis/test_gbstats_agreement.py.

gbstats pins pandas < 2 and numpy < 2, so it never enters the project's environment. Run this script in an
environment of its own and commit the table it writes:

    python3.11 -m venv /tmp/gbenv
    /tmp/gbenv/bin/pip install "gbstats==0.8.0" "pandas<2" "numpy<2"
    /tmp/gbenv/bin/python tools/gbstats_reference.py

Each row is one comparison on sufficient statistics (n, sum, sum of squares per arm) with gbstats'
relative analyses: the frequentist TwoSidedTTest and the Bayesian EffectBayesianABTest. Where gbstats
declines (a zero baseline, an arm without variance) the row keeps its error message and no figures.
"""

import csv
import math
from pathlib import Path
from typing import Any

import gbstats
from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior
from gbstats.frequentist.tests import FrequentistConfig, TwoSidedTTest
from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "analysis" / "data" / "gbstats_reference.csv"
INPUTS = ("case", "kind", "alpha", "higher_is_better", "prior_mean", "prior_sd",
          "n_c", "sum_c", "sum_squares_c", "n_t", "sum_t", "sum_squares_t")
OUTPUTS = ("effect_rel", "se_rel", "dof", "ci_rel_low", "ci_rel_high", "p_value_rel", "chance_to_win",
           "error")


def proportions(case: str, n_c: int, x_c: int, n_t: int, x_t: int, **options: Any) -> dict[str, Any]:
    return dict(case=case, kind="binomial", n_c=n_c, sum_c=x_c, sum_squares_c=x_c,
                n_t=n_t, sum_t=x_t, sum_squares_t=x_t, **options)


def means(case: str, n_c: int, mean_c: float, sd_c: float, n_t: int, mean_t: float, sd_t: float,
          **options: Any) -> dict[str, Any]:
    """An arm given by n, mean and sample sd, turned into the sums a SQL export would hold."""
    def sums(n: int, mean: float, sd: float) -> tuple[float, float]:
        return n * mean, (n - 1) * sd * sd + n * mean * mean

    sum_c, sum_squares_c = sums(n_c, mean_c, sd_c)
    sum_t, sum_squares_t = sums(n_t, mean_t, sd_t)
    return dict(case=case, kind="mean", n_c=n_c, sum_c=sum_c, sum_squares_c=sum_squares_c,
                n_t=n_t, sum_t=sum_t, sum_squares_t=sum_squares_t, **options)


GRID = [
    # Proportions: small and large arms, both directions, rare and near-certain events, unequal splits.
    proportions("prop small up", 20, 6, 22, 11),
    proportions("prop small down", 30, 18, 28, 9),
    proportions("prop tiny", 8, 3, 9, 5),
    proportions("prop medium", 400, 31, 390, 30),
    proportions("prop medium up", 1000, 500, 1000, 560, alpha=0.10),
    proportions("prop large", 100_000, 10_230, 100_400, 10_512),
    proportions("prop large down", 250_000, 50_000, 249_000, 48_700, alpha=0.01),
    proportions("prop rare", 5_000, 12, 5_100, 25),
    proportions("prop near one", 800, 790, 780, 760),
    proportions("prop unequal split", 1_500, 300, 150, 45),
    proportions("prop no change", 600, 120, 600, 120),
    proportions("prop lower better", 900, 90, 880, 70, higher_is_better=False),
    proportions("prop prior", 300, 60, 310, 80, prior_mean=0.0, prior_sd=0.3),
    proportions("prop zero baseline", 40, 0, 40, 4),
    proportions("prop constant control", 40, 40, 40, 35),
    # Means: few and many units, skewed revenue-like spreads, negative effects and a negative baseline.
    means("mean small up", 12, 10.0, 2.0, 9, 11.5, 3.5),
    means("mean small down", 15, 4.2, 1.1, 18, 3.6, 0.8),
    means("mean tiny", 5, 2.0, 0.7, 6, 2.4, 1.9),
    means("mean medium", 200, 10.0, 3.0, 180, 10.9, 7.5),
    means("mean large", 50_000, 31.7, 88.0, 50_300, 32.4, 91.0),
    means("mean large down", 120_000, 0.84, 0.35, 119_000, 0.83, 0.36, alpha=0.01),
    means("mean revenue", 2_000, 3.1, 25.0, 2_100, 3.9, 31.0),
    means("mean negative baseline", 300, -2.5, 4.0, 310, -2.0, 4.4),
    means("mean lower better", 400, 1_850.0, 600.0, 410, 1_790.0, 640.0, higher_is_better=False),
    means("mean lower better worse", 250, 0.12, 0.05, 240, 0.135, 0.06, higher_is_better=False),
    means("mean no change", 1_000, 5.0, 2.0, 1_000, 5.0, 2.5),
    means("mean alpha 0.1", 60, 100.0, 15.0, 75, 106.0, 12.0, alpha=0.10),
    means("mean prior", 80, 10.0, 3.0, 85, 11.2, 3.4, prior_mean=0.0, prior_sd=0.1),
    means("mean prior off centre", 500, 20.0, 9.0, 480, 19.1, 8.0, prior_mean=0.05, prior_sd=0.02,
          higher_is_better=False),
    means("mean zero baseline", 50, 0.0, 1.0, 50, 0.4, 1.2),
]


def statistic(kind: str, n: int, total: float, sum_squares: float) -> ProportionStatistic | SampleMeanStatistic:
    if kind == "binomial":
        return ProportionStatistic(n=n, sum=total)
    return SampleMeanStatistic(n=n, sum=total, sum_squares=sum_squares)


def reference(row: dict[str, Any]) -> dict[str, Any]:
    control = statistic(row["kind"], row["n_c"], row["sum_c"], row["sum_squares_c"])
    treatment = statistic(row["kind"], row["n_t"], row["sum_t"], row["sum_squares_t"])
    frequentist = TwoSidedTTest(control, treatment, FrequentistConfig(alpha=row["alpha"]))
    freq = frequentist.compute_result()
    proper = row["prior_sd"] != ""
    prior = GaussianPrior(mean=row["prior_mean"] if proper else 0.0,
                          variance=row["prior_sd"] ** 2 if proper else 1.0, proper=proper)
    bayes = EffectBayesianABTest(control, treatment, EffectBayesianConfig(
        alpha=row["alpha"], inverse=not row["higher_is_better"], prior_effect=prior)).compute_result()
    error = freq.error_message or bayes.error_message or ""
    if error:
        return {name: "" for name in OUTPUTS} | {"error": error}
    return {
        "effect_rel": freq.expected, "se_rel": freq.uplift.stddev, "dof": frequentist.dof,
        "ci_rel_low": freq.ci[0], "ci_rel_high": freq.ci[1], "p_value_rel": freq.p_value,
        "chance_to_win": bayes.chance_to_win, "error": "",
    }


def main() -> None:
    assert gbstats.__version__.startswith("0.8."), f"the table is for gbstats 0.8, found {gbstats.__version__}"
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with OUTPUT.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=INPUTS + OUTPUTS, lineterminator="\n")
        writer.writeheader()
        for case in GRID:
            row = {"alpha": 0.05, "higher_is_better": True, "prior_mean": "", "prior_sd": ""} | case
            out = reference(row)
            # repr keeps every digit: the test compares to 1e-6 and should not lose any to printing.
            writer.writerow({k: repr(float(v)) if isinstance(v, float) and math.isfinite(v) else v
                             for k, v in (row | out).items()})
    print(f"wrote {len(GRID)} rows to {OUTPUT}")


if __name__ == "__main__":
    main()
