import json

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats import proportion as sm_proportion
from statsmodels.stats.multitest import multipletests

from analysis.bayesian import NormalPrior, bayesian_compare
from analysis.codes import ErrorCode
from analysis.engine import analyze
from analysis.frequentist import compare
from analysis.guardrails import Guardrail
from analysis.rows import InvalidStats, MetricRow, rows_from_records


def _simulated_rows():
    """Raw per-session data for three variants, reduced to sufficient statistics like the SQL layer does."""
    rng = np.random.default_rng(42)
    raw = {
        "control": (rng.binomial(1, 0.55, 300), rng.gamma(4.0, 10.0, 300)),
        "search": (rng.binomial(1, 0.68, 310), rng.gamma(4.0, 8.5, 310)),
        "filter": (rng.binomial(1, 0.57, 295), rng.gamma(4.0, 10.2, 295)),
    }
    rows = []
    for variant, (success, duration) in raw.items():
        rows.append(
            MetricRow(variant, "task_success", "binomial", len(success), success.sum(), success.sum())
        )
        rows.append(
            MetricRow(
                variant, "duration_s", "mean", len(duration), duration.sum(), (duration**2).sum(), False
            )
        )
    return raw, rows


def test_golden_report_against_independent_computations():
    raw, rows = _simulated_rows()
    report = analyze(rows, None, correction="holm")
    assert report.baseline == "control" and report.error_code is None
    assert [(r.variant, r.metric) for r in report.results] == [
        ("search", "task_success"),
        ("search", "duration_s"),
        ("filter", "task_success"),
        ("filter", "duration_s"),
    ]
    expected_p = []
    for result in report.results:
        index = 0 if result.metric == "task_success" else 1
        treatment, control = raw[result.variant][index], raw["control"][index]
        if result.type == "binomial":
            p = sm_proportion.test_proportions_2indep(
                treatment.sum(), len(treatment), control.sum(), len(control), method="wald", compare="diff"
            ).pvalue
        else:
            p = stats.ttest_ind(treatment, control, equal_var=False).pvalue
        expected_p.append(p)
        assert result.p_value == pytest.approx(p, abs=1e-6)
        assert result.mean == pytest.approx(treatment.mean()) and result.baseline_mean == pytest.approx(
            control.mean()
        )
    adjusted = multipletests(expected_p, method="holm")[1]
    assert [r.p_value_adjusted for r in report.results] == pytest.approx(list(adjusted), abs=1e-6)
    assert [r.significant for r in report.results] == [bool(p < 0.05) for p in adjusted]
    counts = [len(raw[v][0]) for v in ("control", "search", "filter")]
    assert report.srm.p_value == pytest.approx(stats.chisquare(counts).pvalue, abs=1e-9)
    # Duration is lower-is-better: a faster variant has a high chance to win.
    search_duration = report.results[1]
    assert search_duration.effect_abs < 0 and search_duration.chance_to_win > 0.5


def test_prior_is_relative_and_reaches_the_risk_in_metric_units():
    """One belief, two scales: chance to win reads the relative posterior, risk the absolute one, where the
    prior's spread is the relative spread times the control mean (4.0 here)."""
    rows = [MetricRow("control", "m", "mean", 60, 240.0, 1500.0), MetricRow("v1", "m", "mean", 70, 301.0, 1900.0)]
    prior = NormalPrior(0.0, 0.05)
    (result,) = analyze(rows, "control", prior=prior).results
    freq = compare(rows[0].stats(), rows[1].stats())
    relative = bayesian_compare(freq.effect_rel, freq.se_rel, prior=prior)
    absolute = bayesian_compare(freq.effect_abs, freq.se_abs, prior=NormalPrior(0.0, 0.2))
    assert result.chance_to_win == pytest.approx(relative.chance_to_win, abs=1e-12)
    assert result.risk == pytest.approx(absolute.risk, abs=1e-12)
    (flat,) = analyze(rows, "control").results
    assert 0.5 < result.chance_to_win < flat.chance_to_win  # shrunk towards no effect


def test_to_dict_is_strict_json():
    _, rows = _simulated_rows()
    rows.append(MetricRow("control", "errors", "mean", 300, 0, 0, False))
    rows.append(MetricRow("search", "errors", "mean", 310, 0, 0, False))
    data = analyze(rows, "control", sequential_tuning=2000).to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["srm"]["flagged"] is False
    errors = [r for r in data["results"] if r["metric"] == "errors"]
    assert errors[0]["error_code"] == "ZERO_VARIANCE" and errors[0]["p_value"] is None
    assert isinstance(data["results"][0]["ci_rel"], list)
    assert data["results"][0]["ci_rel_sequential"] is not None


def test_guardrails_and_sequential_through_the_engine():
    rows = [
        MetricRow("control", "load_ms", "mean", 400, 400 * 1000.0, 400 * (1000.0**2 + 100.0**2), False),
        MetricRow("slow", "load_ms", "mean", 400, 400 * 1100.0, 400 * (1100.0**2 + 100.0**2), False),
    ]
    report = analyze(rows, "control", guardrails={"load_ms": Guardrail(margin=0.02)}, sequential_tuning=5000)
    result = report.results[0]
    assert result.guardrail.status == "violated"
    seq, fixed = result.ci_rel_sequential, result.ci_rel
    assert seq[0] < fixed[0] and seq[1] > fixed[1]


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([MetricRow("a", "m", "mean", 10, 5, 5)], ErrorCode.SINGLE_ARM),
        ([], ErrorCode.SINGLE_ARM),
    ],
)
def test_report_level_degenerate_input(rows, code):
    report = analyze(rows, None)
    assert report.error_code is code and report.results == ()


@pytest.mark.parametrize(
    ("treatment", "code"),
    [
        (MetricRow("b", "m", "mean", 0, 0, 0), ErrorCode.EMPTY_ARM),
        (MetricRow("b", "m", "mean", 1, 2.0, 4.0), ErrorCode.TOO_FEW_SAMPLES),
        (MetricRow("b", "m", "mean", 10, 30.0, 90.0), ErrorCode.ZERO_VARIANCE),
        (MetricRow("b", "other", "mean", 10, 30.0, 100.0), ErrorCode.NO_BASELINE),
    ],
)
def test_result_level_degenerate_input(treatment, code):
    rows = [MetricRow("a", "m", "mean", 10, 20.0, 40.0), treatment]
    (result,) = analyze(rows, "a").results
    assert result.error_code is code
    assert result.significant is False and result.p_value_adjusted is None


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (MetricRow("b", "m", "mean", -3, 0, 0), "n must be a non-negative integer"),
        (MetricRow("b", "m", "mean", 10, 10.0, 5.0), "sum_squares is inconsistent"),
        (MetricRow("b", "m", "binomial", 10, 12, 12), r"successes must lie in \[0, n\]"),
        (MetricRow("b", "m", "binomial", 10, 4, 5), "sum_squares == sum"),
        (MetricRow("b", "m", "ratio", 10, 4, 5), "unknown type"),  # type: ignore[arg-type]
        (MetricRow("a", "m", "mean", 10, 4, 5), "duplicate"),
        (MetricRow("b", "m", "mean", 0, 1.0, 1.0), "n is 0"),
        (MetricRow("b", "m", "binomial", 10, 4, 4), "different type or direction"),
        (MetricRow("b", "m", "mean", 10, float("nan"), 4), "finite"),
    ],
)
def test_invalid_rows_raise_naming_the_row(bad, message):
    rows = [MetricRow("a", "m", "mean", 10, 4.0, 5.0), bad]
    with pytest.raises(InvalidStats, match=message) as caught:
        analyze(rows, None)
    assert caught.value.row == 2 and str(caught.value).startswith("row 2")


def test_unknown_baseline_and_bad_split_raise():
    rows = [MetricRow("a", "m", "mean", 10, 4.0, 5.0), MetricRow("b", "m", "mean", 10, 4.0, 5.0)]
    with pytest.raises(InvalidStats, match="baseline 'c'"):
        analyze(rows, "c")
    with pytest.raises(InvalidStats, match="expected_split"):
        analyze(rows, None, expected_split={"a": 1.0})
    with pytest.raises(ValueError, match="alpha"):
        analyze(rows, None, alpha=1.5)


def test_srm_uses_the_expected_split():
    rows = [
        MetricRow("a", "m", "binomial", 1000, 500, 500),
        MetricRow("b", "m", "binomial", 2000, 1000, 1000),
    ]
    assert analyze(rows, None).srm.flagged is True
    assert analyze(rows, None, expected_split={"a": 1, "b": 2}).srm.flagged is False


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"variant": "a", "metric": "m", "type": "mean", "n": "10", "sum": "4"}, "missing value for column"),
        (
            {"variant": "a", "metric": "m", "type": "mean", "n": "ten", "sum": "4", "sum_squares": "5"},
            "not a number",
        ),
        (
            {"variant": "a", "metric": "m", "type": "mean", "n": "2.5", "sum": "4", "sum_squares": "9"},
            "whole number",
        ),
        (
            {
                "variant": "a",
                "metric": "m",
                "type": "mean",
                "n": "10",
                "sum": "4",
                "sum_squares": "5",
                "higher_is_better": "maybe",
            },
            "higher_is_better",
        ),
    ],
)
def test_records_are_parsed_strictly(record, message):
    good = {"variant": "z", "metric": "m", "type": "mean", "n": "10", "sum": "4", "sum_squares": "5"}
    with pytest.raises(InvalidStats, match=message) as caught:
        rows_from_records([good, record])
    assert caught.value.row == 2


def test_records_parse_direction_and_types():
    rows = rows_from_records(
        [
            {
                "variant": " a ",
                "metric": "lcp",
                "type": "MEAN",
                "n": "10.0",
                "sum": "4",
                "sum_squares": "5",
                "higher_is_better": "false",
            }
        ]
    )
    assert rows == [MetricRow("a", "lcp", "mean", 10, 4.0, 5.0, False)]
