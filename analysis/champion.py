"""Naming the winning variant from an analysis report, honestly: a winner must be significant on the
primary metric after correction and must not break any guardrail; otherwise there is no winner."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.report import AnalysisReport, MetricResult


@dataclass(frozen=True, slots=True)
class ChampionDecision:
    variant: str | None
    reason: str


def _fmt_pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:+.1f}%"


def choose_champion_variant(report: AnalysisReport, primary_metric: str) -> ChampionDecision:
    primary = [r for r in report.results if r.metric == primary_metric]
    if not primary:
        return ChampionDecision(None, f"no variant has results on {primary_metric}")
    violated = {
        r.variant for r in report.results if r.guardrail is not None and r.guardrail.status == "violated"
    }
    candidates: list[MetricResult] = []
    notes: list[str] = []
    for result in primary:
        improves = (
            result.effect_abs is not None
            and (result.effect_abs > 0) == result.higher_is_better
            and result.effect_abs != 0
        )
        if result.error_code is not None:
            notes.append(f"{result.variant}: not computable ({result.error_code})")
        elif result.variant in violated:
            notes.append(f"{result.variant}: breaks a guardrail")
        elif not (result.significant and improves):
            notes.append(
                f"{result.variant}: {_fmt_pct(result.effect_rel)} on {primary_metric}, "
                f"adjusted p={result.p_value_adjusted:.3g} (not significant)"
                if result.p_value_adjusted is not None
                else f"{result.variant}: no p-value"
            )
        else:
            candidates.append(result)
    if report.srm.flagged:
        return ChampionDecision(
            None, f"sample ratio mismatch (p={report.srm.p_value:.2g}); results are not trusted"
        )
    if not candidates:
        return ChampionDecision(None, "no variant beat the control significantly: " + "; ".join(notes))
    best = max(candidates, key=lambda r: (r.chance_to_win or 0.0, abs(r.effect_abs or 0.0)))
    return ChampionDecision(
        best.variant,
        f"{best.variant} improves {primary_metric} by {_fmt_pct(best.effect_rel)} "
        f"({best.baseline_mean:.3g} → {best.mean:.3g}), adjusted p={best.p_value_adjusted:.3g} "
        f"({report.correction}), chance to beat control {best.chance_to_win:.1%}, no guardrail broken",
    )
