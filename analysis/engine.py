"""The one entry point: sufficient statistics per (variant, metric) in, a full comparison report out."""

from collections.abc import Mapping, Sequence
from dataclasses import replace

from analysis.bayesian import NormalPrior, bayesian_compare
from analysis.codes import ErrorCode
from analysis.frequentist import FrequentistResult, compare
from analysis.guardrails import Guardrail, check_guardrail
from analysis.multiple import CORRECTIONS, Correction, adjust_pvalues
from analysis.report import AnalysisReport, MetricResult
from analysis.rows import InvalidStats, MetricRow, validate_rows
from analysis.sequential import confidence_sequence
from analysis.srm import srm_test


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _units_per_variant(rows: Sequence[MetricRow], variants: Sequence[str]) -> dict[str, int]:
    """Units exposed per arm: the largest n over its metrics (some metrics only cover a subset of units)."""
    return {v: max(row.n for row in rows if row.variant == v) for v in variants}


def _bayesian(
    freq: FrequentistResult, control_mean: float, *, higher_is_better: bool, prior: NormalPrior | None, alpha: float
) -> tuple[float | None, float | None]:
    """Chance to win and risk (expected loss of shipping, in metric units).

    The chance to win reads the relative posterior, as gbstats' EffectBayesianABTest does, so it sits on
    the scale of the relative interval beside it; where there is no relative effect (a zero baseline) it
    reads the absolute one, since a probability needs no unit. `prior` is on the relative scale (gbstats'
    default) and reaches metric units through the control mean; at a zero baseline the absolute posterior
    is flat.
    """
    absolute_prior = prior.scaled(control_mean) if prior is not None and control_mean != 0.0 else None
    absolute = bayesian_compare(
        freq.effect_abs, freq.se_abs, higher_is_better=higher_is_better, prior=absolute_prior, alpha=alpha
    )
    # Below a negative baseline a higher treatment mean makes treatment / control - 1 smaller: "better"
    # turns round on the relative scale. gbstats 0.8 does not turn it (its chance to win is then 1 - ours).
    relative = bayesian_compare(
        freq.effect_rel, freq.se_rel, higher_is_better=higher_is_better == (control_mean > 0.0), prior=prior,
        alpha=alpha,
    )
    chance = relative.chance_to_win if relative.error_code is None else absolute.chance_to_win
    return chance, absolute.risk


def _compare_row(
    row: MetricRow,
    base: MetricRow,
    *,
    alpha: float,
    guardrail: Guardrail | None,
    sequential_tuning: float | None,
    prior: NormalPrior | None,
) -> MetricResult:
    control, treatment = base.stats(), row.stats()
    freq = compare(control, treatment, alpha=alpha)
    chance_to_win, risk = _bayesian(
        freq, control.mean, higher_is_better=row.higher_is_better, prior=prior, alpha=alpha
    )
    seq = (
        confidence_sequence(control, treatment, alpha=alpha, tuning=sequential_tuning)
        if sequential_tuning is not None
        else None
    )
    return MetricResult(
        variant=row.variant,
        metric=row.metric,
        type=row.type,
        higher_is_better=row.higher_is_better,
        n=row.n,
        baseline_n=base.n,
        mean=treatment.mean if row.n else None,
        baseline_mean=control.mean if base.n else None,
        effect_abs=freq.effect_abs,
        ci_abs=freq.ci_abs,
        effect_rel=freq.effect_rel,
        ci_rel=freq.ci_rel,
        p_value=freq.p_value,
        p_value_rel=freq.p_value_rel,
        chance_to_win=chance_to_win,
        risk=risk,
        ci_abs_sequential=seq.ci_abs if seq else None,
        ci_rel_sequential=seq.ci_rel if seq else None,
        se_abs=freq.se_abs,
        guardrail=(
            check_guardrail(freq, guardrail, higher_is_better=row.higher_is_better) if guardrail else None
        ),
        error_code=freq.error_code,
    )


def _no_baseline(row: MetricRow) -> MetricResult:
    stats = row.stats()
    return MetricResult(
        variant=row.variant,
        metric=row.metric,
        type=row.type,
        higher_is_better=row.higher_is_better,
        n=row.n,
        baseline_n=None,
        mean=stats.mean if row.n else None,
        baseline_mean=None,
        error_code=ErrorCode.NO_BASELINE,
    )


def analyze(
    rows: Sequence[MetricRow],
    baseline: str | None = None,
    *,
    alpha: float = 0.05,
    correction: Correction = "holm",
    expected_split: Mapping[str, float] | None = None,
    guardrails: Mapping[str, Guardrail] | None = None,
    sequential_tuning: float | None = None,
    prior: NormalPrior | None = None,
) -> AnalysisReport:
    """Compare every non-baseline variant with `baseline` (default: the first variant) on every metric.

    p-values are adjusted with `correction` over the whole family of variant x metric comparisons;
    `significant` means the adjusted p-value is below alpha. Guardrails map a metric to its tolerated
    harm. `sequential_tuning` adds always-valid intervals for dashboards that are looked at repeatedly.
    `prior` is a belief about the relative effect (a fraction of the baseline); None is flat. Which
    figure is on which scale: docs/statistics.md.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    if correction not in CORRECTIONS:
        raise ValueError(f"unknown correction {correction!r}; choose one of: {', '.join(CORRECTIONS)}")
    validate_rows(rows)
    variants = _unique([row.variant for row in rows])
    metrics = _unique([row.metric for row in rows])
    if baseline is None:
        baseline = variants[0] if variants else None
    elif baseline not in variants:
        raise InvalidStats(f"baseline {baseline!r} is not among the variants: {', '.join(variants)}")
    if expected_split is not None and (
        set(expected_split) != set(variants) or any(not w > 0 for w in expected_split.values())
    ):
        raise InvalidStats(f"expected_split must give a positive weight to exactly: {', '.join(variants)}")
    srm = srm_test(_units_per_variant(rows, variants), expected_split)
    by_key = {(row.variant, row.metric): row for row in rows}
    results: list[MetricResult] = []
    for variant in variants:
        if variant == baseline:
            continue
        for metric in metrics:
            row = by_key.get((variant, metric))
            if row is None:
                continue
            base = by_key.get((baseline, metric))
            if base is None:
                results.append(_no_baseline(row))
                continue
            guardrail = guardrails.get(metric) if guardrails else None
            results.append(
                _compare_row(
                    row,
                    base,
                    alpha=alpha,
                    guardrail=guardrail,
                    sequential_tuning=sequential_tuning,
                    prior=prior,
                )
            )

    adjusted = adjust_pvalues([r.p_value for r in results], correction)
    return AnalysisReport(
        baseline=baseline,
        variants=variants,
        metrics=metrics,
        alpha=alpha,
        correction=correction,
        srm=srm,
        results=tuple(_with_adjusted(result, p_adj, alpha) for result, p_adj in zip(results, adjusted)),
        error_code=ErrorCode.SINGLE_ARM if len(variants) < 2 else None,
    )


def _with_adjusted(result: MetricResult, p_adjusted: float | None, alpha: float) -> MetricResult:
    significant = p_adjusted is not None and p_adjusted < alpha
    return replace(result, p_value_adjusted=p_adjusted, significant=significant)
