import pytest

from analysis.codes import ErrorCode
from analysis.frequentist import FrequentistResult
from analysis.guardrails import Guardrail, check_guardrail


def _rel(low, high):
    return FrequentistResult(effect_rel=(low + high) / 2, ci_rel=(low, high), ci_abs=(low * 10, high * 10))


@pytest.mark.parametrize(
    ("ci", "margin", "higher_is_better", "status"),
    [
        # lower is better (errors, load time): harm is a rise
        ((-0.10, 0.03), 0.05, False, "ok"),
        ((0.01, 0.04), 0.05, False, "ok"),  # significantly worse, but within the tolerated margin
        ((0.01, 0.08), 0.05, False, "violated"),
        ((0.06, 0.09), 0.05, False, "violated"),
        ((-0.02, 0.08), 0.05, False, "inconclusive"),
        ((-0.02, 0.01), 0.0, False, "inconclusive"),
        ((-0.05, -0.01), 0.0, False, "ok"),
        # higher is better (task success): harm is a drop
        ((-0.03, 0.10), 0.05, True, "ok"),
        ((-0.08, -0.01), 0.05, True, "violated"),
        ((-0.08, 0.02), 0.05, True, "inconclusive"),
    ],
)
def test_guardrail_status(ci, margin, higher_is_better, status):
    result = check_guardrail(_rel(*ci), Guardrail(margin=margin), higher_is_better=higher_is_better)
    assert result.status == status
    assert result.harm_ci[0] <= result.harm_ci[1]


def test_absolute_guardrail_reads_the_absolute_interval():
    comparison = FrequentistResult(ci_abs=(0.5, 2.0), ci_rel=None, error_code=ErrorCode.ZERO_BASELINE_MEAN)
    assert check_guardrail(comparison, Guardrail(3.0, relative=False), higher_is_better=False).status == "ok"
    assert (
        check_guardrail(comparison, Guardrail(1.0, relative=False), higher_is_better=False).status
        == "violated"
    )
    relative = check_guardrail(comparison, Guardrail(0.1), higher_is_better=False)
    assert relative.status is None and relative.error_code is ErrorCode.ZERO_BASELINE_MEAN


def test_negative_margin_is_rejected():
    with pytest.raises(ValueError, match="margin"):
        check_guardrail(_rel(0, 1), Guardrail(-0.1), higher_is_better=True)
