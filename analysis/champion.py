"""Which variant, if any, should replace the baseline: the decision rule and its reason in words.

A variant qualifies only if it significantly improves the primary metric (after the report's multiple-
comparison correction) and violates no guardrail; among those the largest improvement wins, lower risk
breaking ties. A sample ratio mismatch voids the decision, because every comparison is then suspect.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from analysis.codes import ErrorCode
from analysis.power import DEFAULT_POWER, sessions_to_detect
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
    """The effect on the scale its adjusted p-value tests (absolute), the relative change beside it."""
    absolute = result.effect_abs or 0.0
    if result.type == "binomial":
        effect = f"{absolute * 100:+.1f} percentage points"
    else:
        effect = f"{absolute:+.4g}"
    if result.effect_rel is not None:
        effect += f" ({result.effect_rel:+.1%} relative)"
    p = "n/a" if result.p_value_adjusted is None else f"{result.p_value_adjusted:.3g}"
    return f"{result.variant} {effect} on {result.metric} (adjusted p = {p})"


def _all_the_same(report: AnalysisReport, metric: str) -> str | None:
    """The one value every session of every arm had on `metric` (e.g. "100%"), or None: then there was
    nothing to test, which is not the same as failing to test."""
    results = [r for r in report.results if r.metric == metric]
    if not results or any(r.error_code is not ErrorCode.ZERO_VARIANCE or r.mean != r.baseline_mean for r in results):
        return None
    value = results[0].baseline_mean
    if value is None:
        return None
    return f"{value:.0%}" if results[0].type == "binomial" else f"{value:.4g}"


def _constant_differences(report: AnalysisReport, primary_metric: str) -> str:
    """Other metrics that were constant within every arm yet differ between arms (a variant that removes
    one accessibility violation from every page): no test can run on them, and the decision rule does not
    use them, but an analyst should read the difference rather than "all the same"."""
    by_metric: dict[str, list[MetricResult]] = {}
    for r in report.results:
        if r.metric != primary_metric and r.error_code is ErrorCode.ZERO_VARIANCE and r.mean is not None \
                and r.baseline_mean is not None and r.mean != r.baseline_mean:
            by_metric.setdefault(r.metric, []).append(r)
    parts = []
    for metric, results in sorted(by_metric.items()):
        better = [r for r in results if _improvement(_as_effect(r)) > 0]
        worse = [r for r in results if r not in better]
        base = results[0].baseline_mean
        for word, group in (("better", better), ("worse", worse)):
            if group:
                values = ", ".join(f"{r.variant} {r.mean:.4g}" for r in group)
                parts.append(f"{metric} was constant within each arm and {word} on {values} than "
                             f"{report.baseline} {base:.4g}")
    return f"; {'; '.join(parts)} (in every session: untestable, and not part of the decision)" if parts else ""


def _as_effect(result: MetricResult) -> MetricResult:
    """The result with its effect filled in from the two means (the engine leaves it empty when it cannot test)."""
    return replace(result, effect_abs=(result.mean or 0.0) - (result.baseline_mean or 0.0))


def _harms(result: MetricResult) -> bool:
    return result.significant and _improvement(result) < 0


def choose_champion_variant(
    report: AnalysisReport, primary_metric: str, secondary_metrics: Sequence[str] = ()
) -> ChampionDecision:
    """The primary metric decides first. When no variant moves it significantly (e.g. every arm already
    completes the task), a significant improvement on a pre-declared secondary metric (e.g. effort:
    actions or time) qualifies a variant that significantly harms none of the decision metrics. All
    p-values are adjusted over the whole family, so looking at secondaries does not inflate errors."""
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
    decision_metrics = (primary_metric, *secondary_metrics)
    harmed = {r.variant for r in report.results if r.metric in decision_metrics and _harms(r)}
    comparable = [r for r in report.results if r.metric in decision_metrics and r.p_value is not None]
    if not comparable:
        same = _all_the_same(report, primary_metric)
        if same is not None:
            apart = _constant_differences(report, primary_metric)
            return ChampionDecision(None, f"every arm came out the same on {primary_metric} ({same} in every "
                                          f"session of every arm): no variant can beat it{apart}; keeping the baseline")
        return ChampionDecision(
            None, f"no variant could be compared on {', '.join(decision_metrics)}; keeping the baseline"
        )
    for metric in decision_metrics:
        winners = [r for r in comparable if r.metric == metric and r.significant and _improvement(r) > 0]
        qualified = sorted(
            (r for r in winners if r.variant not in violated and r.variant not in harmed),
            key=lambda r: (-_improvement(r), r.risk if r.risk is not None else float("inf"), r.variant),
        )
        if qualified:
            best = qualified[0]
            runners = (
                f"; also qualified: {', '.join(r.variant for r in qualified[1:])}" if len(qualified) > 1 else ""
            )
            basis = "" if metric == primary_metric else f" ({primary_metric} not significantly different)"
            return ChampionDecision(
                best.variant,
                f"{_describe(best)}{basis}, no guardrail violated{runners}",
                tuple(r.variant for r in qualified),
            )
        if winners:
            blocked = ", ".join(sorted({r.variant for r in winners}))
            return ChampionDecision(
                None, f"{blocked} improved {metric} but violated a guardrail or harmed another decision "
                "metric; keeping the baseline"
            )
    primary = [r for r in comparable if r.metric == primary_metric] or comparable
    closest = max(primary, key=_improvement)
    return ChampionDecision(
        None,
        f"no variant significantly improved {', '.join(decision_metrics)} (closest: {_describe(closest)}); "
        f"keeping the baseline{_power_note(closest, report.alpha, len(comparable))}",
    )


def _power_note(closest: MetricResult, alpha: float, family_size: int) -> str:
    """Whether the panel could have seen the closest effect, and what size would (an honest "no winner")."""
    if _improvement(closest) <= 0:
        return ""
    needed = sessions_to_detect(closest, alpha=alpha, family_size=family_size)
    if needed is None or needed <= closest.n:
        return ""
    return (
        f"; with {closest.n} sessions per arm the panel is underpowered for an effect this size: "
        f"about {needed:,} per arm would detect it with {DEFAULT_POWER:.0%} power"
    )
