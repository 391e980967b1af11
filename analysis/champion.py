"""Which variant, if any, should replace the baseline: the decision rule and its reason in words.

A variant qualifies only if it significantly improves the primary metric (after the report's multiple-
comparison correction) and violates no guardrail; among those the largest improvement wins, lower risk
breaking ties. A sample ratio mismatch voids the decision, because every comparison is then suspect.
"""

from dataclasses import dataclass

from analysis.report import AnalysisReport, MetricResult


@dataclass(frozen=True, slots=True)
class ChampionDecision:
    variant: str | None  # None: keep the baseline
    reason: str
    qualified: tuple[str, ...] = ()  # every variant that met the rule, best first


def _improvement(result: MetricResult) -> float:
    """The effect in the metric's good direction (positive is better)."""
    effect = result.effect_abs or 0.0
    return effect if result.higher_is_better else -effect


def _describe(result: MetricResult) -> str:
    effect = (
        f"{result.effect_rel:+.1%}" if result.effect_rel is not None else f"{result.effect_abs or 0.0:+.4g}"
    )
    p = "n/a" if result.p_value_adjusted is None else f"{result.p_value_adjusted:.3g}"
    return f"{result.variant} {effect} on {result.metric} (adjusted p = {p})"


def choose_champion_variant(report: AnalysisReport, primary_metric: str) -> ChampionDecision:
    if report.error_code is not None:
        return ChampionDecision(None, f"no comparison possible ({report.error_code}); keeping the baseline")
    if report.srm.flagged:
        return ChampionDecision(
            None,
            f"sample ratio mismatch (p = {report.srm.p_value:.2g}): comparisons are not trustworthy; "
            "keeping the baseline",
        )
    violated = {
        r.variant for r in report.results if r.guardrail is not None and r.guardrail.status == "violated"
    }
    primary = [r for r in report.results if r.metric == primary_metric and r.p_value is not None]
    if not primary:
        return ChampionDecision(
            None, f"no variant could be compared on {primary_metric}; keeping the baseline"
        )
    winners = [r for r in primary if r.significant and _improvement(r) > 0]
    qualified = sorted(
        (r for r in winners if r.variant not in violated),
        key=lambda r: (-_improvement(r), r.risk if r.risk is not None else float("inf"), r.variant),
    )
    if qualified:
        best = qualified[0]
        runners = (
            f"; also qualified: {', '.join(r.variant for r in qualified[1:])}" if len(qualified) > 1 else ""
        )
        return ChampionDecision(
            best.variant,
            f"{_describe(best)}, no guardrail violated{runners}",
            tuple(r.variant for r in qualified),
        )
    if winners:
        blocked = ", ".join(sorted({r.variant for r in winners}))
        return ChampionDecision(
            None, f"{blocked} improved {primary_metric} but violated a guardrail; keeping the baseline"
        )
    closest = max(primary, key=_improvement)
    return ChampionDecision(
        None,
        f"no variant significantly improved {primary_metric} (closest: {_describe(closest)}); keeping the baseline",
    )
