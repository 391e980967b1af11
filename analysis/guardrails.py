"""Guardrails: metrics a variant must not make worse (errors, accessibility violations, load time).

A non-inferiority check on the comparison's (1 - alpha) interval. "Harm" is the change in the bad
direction (a rise for lower-is-better metrics, a drop otherwise); the margin is the harm we tolerate.

- ok: the whole interval of harm lies within the margin (non-inferiority shown);
- violated: the variant is significantly worse (harm > 0 excluded from zero) and not shown within margin;
- inconclusive: neither; more data is needed.
"""

from dataclasses import dataclass
from typing import Literal

from analysis.codes import ErrorCode
from analysis.frequentist import FrequentistResult

GuardrailStatus = Literal["ok", "violated", "inconclusive"]


@dataclass(frozen=True, slots=True)
class Guardrail:
    margin: float = 0.0  # tolerated harm, >= 0: a fraction of the baseline if relative, else metric units
    relative: bool = True


@dataclass(frozen=True, slots=True)
class GuardrailResult:
    status: GuardrailStatus | None = None
    harm_ci: tuple[float, float] | None = None
    margin: float = 0.0
    relative: bool = True
    error_code: ErrorCode | None = None


def check_guardrail(
    comparison: FrequentistResult, guardrail: Guardrail, *, higher_is_better: bool
) -> GuardrailResult:
    if guardrail.margin < 0.0:
        raise ValueError("a guardrail margin is a tolerated harm and must be >= 0")
    ci = comparison.ci_rel if guardrail.relative else comparison.ci_abs
    if ci is None:
        return GuardrailResult(
            margin=guardrail.margin,
            relative=guardrail.relative,
            error_code=comparison.error_code or ErrorCode.ZERO_VARIANCE,
        )
    low, high = ci
    harm_low, harm_high = (-high, -low) if higher_is_better else (low, high)
    if harm_high <= guardrail.margin:
        status: GuardrailStatus = "ok"
    elif harm_low > 0.0:
        status = "violated"
    else:
        status = "inconclusive"
    return GuardrailResult(
        status=status, harm_ci=(harm_low, harm_high), margin=guardrail.margin, relative=guardrail.relative
    )
