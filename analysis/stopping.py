"""Panels that run until they decide: after each round of sessions, stop once the primary metric has
decided on always-valid evidence, or once the budget (sessions per arm, time) is spent.

Always-valid p-values. Inverting the confidence sequence of analysis.sequential at a fixed mixing rho
gives, for each comparison, the smallest level whose sequence excludes 0:

    p = min(1, sqrt(g) * exp(-effect^2 * N * rho^2 / (2 * se^2 * g))),   g = N * rho^2 + 1

At every level a the sequence covers the truth at all rounds at once, so with no effect the chance
that p is ever <= a is at most a: the panel may read p after every round and stop the first time it
is small. Holm over such p-values keeps the family-wise error at or below alpha at whichever round the
panel stops. That is why the rule corrects over the metrics stage's family (every variant x decision
metric, Holm), and why the metrics stage, when the panel stopped this way, decides on these same
p-values (as_sequential) instead of fixed-horizon ones, which peeking would make too optimistic.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from analysis.codes import ErrorCode
from analysis.frequentist import input_error
from analysis.multiple import Correction, adjust_pvalues
from analysis.report import AnalysisReport
from analysis.rows import MetricRow
from analysis.sequential import halfwidth, mixing_rho
from analysis.statistics import SampleStats

Interval = tuple[float, float]
# Sessions in two arms at which the sequences are narrowest: about where simulated-user panels stop.
# Any positive value keeps them valid; it is fixed here so the panel and the metrics stage, which may
# run under different settings, read the same sequences.
PANEL_TUNING = 250.0


class StopReason(StrEnum):
    DECIDED = "decided"  # a variant beats the control on the primary metric, or every variant loses to it
    MAX_SESSIONS = "max_sessions"  # the sessions-per-arm budget is spent
    TIME_BUDGET = "time_budget"  # another round would not fit in the time budget
    NOTHING_TO_COMPARE = "nothing_to_compare"  # no control or no variant measured: more rounds cannot help


@dataclass(frozen=True, slots=True)
class SequentialTest:
    effect_abs: float
    ci_abs: Interval
    p_value: float
    ci_rel: Interval | None = None
    p_value_rel: float | None = None


def always_valid_p_value(effect: float, se: float, n_total: int, *, alpha: float, tuning: float) -> float:
    """The level at which the sequence tuned for `alpha` just touches 0 (p <= alpha iff it excludes 0)."""
    rho2 = mixing_rho(alpha, tuning) ** 2
    grow = n_total * rho2 + 1.0
    return min(1.0, math.sqrt(grow) * math.exp(-effect * effect * n_total * rho2 / (2.0 * se * se * grow)))


def _variance(arm: SampleStats) -> float:
    # A share observed at 0/n or n/n has no variance, which would claim certainty from a handful of
    # sessions; Agresti and Caffo's adjustment (one success and one failure more) keeps it positive and
    # fades as the arm grows.
    if arm.kind != "binomial":
        return arm.variance
    adjusted = (arm.sum + 1.0) / (arm.n + 2.0)
    return adjusted * (1.0 - adjusted)


def sequential_test(
    control: SampleStats, treatment: SampleStats, *, alpha: float = 0.05, tuning: float = PANEL_TUNING
) -> SequentialTest | None:
    """Always-valid interval and p-value of treatment - control (and relative, if the control mean is not
    0); None where the engine cannot compare either: an arm below two units, or two equal constant arms."""
    error = input_error(control, treatment)
    boundary = error is ErrorCode.ZERO_VARIANCE and control.kind == "binomial" and control.mean != treatment.mean
    if error is not None and not boundary:
        return None
    n_total = control.n + treatment.n
    vc, vt = _variance(control), _variance(treatment)
    effect = treatment.mean - control.mean
    se = math.sqrt(vc / control.n + vt / treatment.n)
    width = halfwidth(se, n_total, alpha=alpha, tuning=tuning)
    test = SequentialTest(effect, (effect - width, effect + width),
                          always_valid_p_value(effect, se, n_total, alpha=alpha, tuning=tuning))
    mc, mt = control.mean, treatment.mean
    if mc == 0.0:
        return test
    effect_rel = mt / mc - 1.0
    se_rel = math.sqrt(vt / (mc * mc * treatment.n) + vc * mt * mt / (mc**4 * control.n))
    if se_rel == 0.0:
        return test
    width_rel = halfwidth(se_rel, n_total, alpha=alpha, tuning=tuning)
    return replace(test, ci_rel=(effect_rel - width_rel, effect_rel + width_rel),
                   p_value_rel=always_valid_p_value(effect_rel, se_rel, n_total, alpha=alpha, tuning=tuning))


@dataclass(frozen=True, slots=True)
class SequentialComparison:
    """One variant against the baseline on one metric, within a family corrected together."""

    variant: str
    metric: str
    type: str
    higher_is_better: bool
    test: SequentialTest | None  # None: not comparable, and so not in the family (as in the engine)
    p_value_adjusted: float | None
    significant: bool

    @property
    def improvement(self) -> float:
        """The absolute effect in the metric's good direction (positive is better)."""
        effect = self.test.effect_abs if self.test else 0.0
        return effect if self.higher_is_better else -effect


def sequential_comparisons(
    rows: Sequence[MetricRow], baseline: str, *, alpha: float = 0.05, tuning: float = PANEL_TUNING,
    correction: Correction = "holm",
) -> list[SequentialComparison]:
    """Every variant x metric against `baseline`, always-valid and adjusted together: the engine's family,
    since a sequential test exists exactly where the engine's fixed-horizon p-value does."""
    by_key = {(row.variant, row.metric): row for row in rows}
    pairs = [(row, by_key[(baseline, row.metric)]) for row in rows
             if row.variant != baseline and (baseline, row.metric) in by_key]
    tests = [sequential_test(base.stats(), row.stats(), alpha=alpha, tuning=tuning) for row, base in pairs]
    adjusted = adjust_pvalues([t.p_value if t else None for t in tests], correction)
    return [SequentialComparison(row.variant, row.metric, row.type, row.higher_is_better, test, p,
                                 p is not None and p < alpha)
            for (row, _), test, p in zip(pairs, tests, adjusted)]


def as_sequential(report: AnalysisReport, rows: Sequence[MetricRow], *, tuning: float = PANEL_TUNING) -> AnalysisReport:
    """`report` (the engine's, on `rows`) with every comparison's intervals and p-values always-valid and
    adjusted anew over the same family with the same correction. The Bayesian figures stay: a posterior
    does not depend on why the panel stopped."""
    if report.baseline is None:
        return report
    found = {(c.variant, c.metric): c for c in sequential_comparisons(
        rows, report.baseline, alpha=report.alpha, tuning=tuning, correction=report.correction)}  # type: ignore[arg-type]
    results = []
    for result in report.results:
        c = found.get((result.variant, result.metric))
        test = c.test if c else None
        # A fixed-horizon figure must not stay beside always-valid ones: without a sequence there is none.
        results.append(replace(
            result, ci_abs=test and test.ci_abs, p_value=test and test.p_value, ci_rel=test and test.ci_rel,
            p_value_rel=test and test.p_value_rel, ci_abs_sequential=test and test.ci_abs,
            ci_rel_sequential=test and test.ci_rel, p_value_adjusted=c and c.p_value_adjusted,
            significant=bool(c and c.significant)))
    return replace(report, results=tuple(results))


@dataclass(frozen=True, slots=True)
class StoppingRule:
    primary_metric: str
    max_sessions_per_arm: int
    time_budget_s: float
    secondary_metrics: tuple[str, ...] = ()  # they only widen the correction family, as in the metrics stage
    baseline: str = "control"
    alpha: float = 0.05
    tuning: float = PANEL_TUNING


@dataclass(frozen=True, slots=True)
class Look:
    """What the rule sees after a round: the decision metrics' statistics of every arm so far."""

    round: int
    rows: tuple[MetricRow, ...]
    sessions_per_arm: int
    next_round_per_arm: int  # what the budget allows next (next_round_size); 0 when it is spent
    elapsed_s: float


@dataclass(frozen=True, slots=True)
class StoppingDecision:
    reason: StopReason | None  # None: run another round
    round: int
    sessions_per_arm: int
    winner: str | None = None  # when decided: the best variant, or the baseline when every variant loses
    explanation: str = ""

    @property
    def stop(self) -> bool:
        return self.reason is not None


def next_round_size(sessions_per_arm: int, *, round_size: int, max_sessions_per_arm: int, unit: int) -> int:
    """Sessions per arm in the next round: `round_size` rounded up to whole units (one session of every
    flow), cut to the whole units the budget has left."""
    if unit < 1 or round_size < 1:
        raise ValueError("round_size and unit must be at least 1")
    wanted = -(-round_size // unit) * unit
    left = (max_sessions_per_arm - sessions_per_arm) // unit * unit
    return max(0, min(wanted, left))


def _describe(c: SequentialComparison) -> str:
    assert c.test is not None
    scale, unit = (100.0, " pp") if c.type == "binomial" else (1.0, "")
    low, high = c.test.ci_abs
    return (f"{c.variant} {scale * c.test.effect_abs:+.3g}{unit} on {c.metric}, always-valid interval "
            f"[{scale * low:+.3g}, {scale * high:+.3g}]{unit}, adjusted p = {c.p_value_adjusted:.3g}")


def decide(look: Look, rule: StoppingRule) -> StoppingDecision:
    """Stop when the primary metric has decided, else when the budget is spent, else run another round."""
    at = f"round {look.round} ({look.sessions_per_arm} sessions per arm, {look.elapsed_s:.0f} s)"
    metrics = (rule.primary_metric, *rule.secondary_metrics)
    rows = [row for row in look.rows if row.metric in metrics]
    variants = {row.variant for row in rows}
    if rule.baseline not in variants or len(variants) < 2:
        return StoppingDecision(StopReason.NOTHING_TO_COMPARE, look.round, look.sessions_per_arm,
                                explanation=f"{at}: no {rule.baseline} or no variant was measured")
    compared = sequential_comparisons(rows, rule.baseline, alpha=rule.alpha, tuning=rule.tuning)
    primary = [c for c in compared if c.metric == rule.primary_metric and c.test is not None]
    better = [c for c in primary if c.significant and c.improvement > 0]
    if better:
        best = max(better, key=lambda c: (c.improvement, c.variant))
        return StoppingDecision(StopReason.DECIDED, look.round, look.sessions_per_arm, best.variant,
                                f"decided at {at}: {_describe(best)}")
    if primary and len(primary) == len(variants) - 1 and all(c.significant and c.improvement < 0 for c in primary):
        return StoppingDecision(StopReason.DECIDED, look.round, look.sessions_per_arm, rule.baseline,
                                f"decided at {at}: every variant is worse than {rule.baseline} on {rule.primary_metric}")
    closest = f" (closest: {_describe(max(primary, key=lambda c: c.improvement))})" if primary else ""
    open_question = f"{rule.primary_metric} not decided{closest}"
    if look.next_round_per_arm <= 0:
        return StoppingDecision(StopReason.MAX_SESSIONS, look.round, look.sessions_per_arm, explanation=(
            f"budget of {rule.max_sessions_per_arm} sessions per arm spent at {at}: {open_question}"))
    # Throughput so far predicts the next round; a round that would overrun the budget is not started.
    projected = look.elapsed_s * (look.sessions_per_arm + look.next_round_per_arm) / max(look.sessions_per_arm, 1)
    if projected > rule.time_budget_s:
        return StoppingDecision(StopReason.TIME_BUDGET, look.round, look.sessions_per_arm, explanation=(
            f"time budget of {rule.time_budget_s:.0f} s spent at {at}: another round would end at about "
            f"{projected:.0f} s; {open_question}"))
    return StoppingDecision(None, look.round, look.sessions_per_arm, explanation=f"{at}: {open_question}")


def looked_more_than_once(reason: str, rounds: int) -> bool:
    """Whether a stopped panel's data were read with a chance to stop on them: over several rounds, or
    at a first round that could have gone on. One round cut short by a budget is a fixed-size panel, and
    fixed-horizon intervals are honest (and narrower) there."""
    return rounds > 1 or reason == StopReason.DECIDED


_STOPPED = {
    StopReason.DECIDED: "the panel decided after {n} sessions per arm ({rounds})",
    StopReason.MAX_SESSIONS: "the panel's session budget ran out at {n} sessions per arm ({rounds}) without a decision",
    StopReason.TIME_BUDGET: "the panel's time budget ran out after {n} sessions per arm ({rounds}) without a decision",
    StopReason.NOTHING_TO_COMPARE: "the panel stopped after {n} sessions per arm ({rounds}): nothing to compare",
}


def stop_summary(reason: str, rounds: int, sessions_per_arm: int) -> str:
    """One sentence on how a panel ended, e.g. "the panel decided after 96 sessions per arm (6 rounds)"."""
    text = _STOPPED[StopReason(reason)].format(n=sessions_per_arm, rounds=f"{rounds} round{'s' * (rounds != 1)}")
    if looked_more_than_once(reason, rounds):
        text += "; intervals and p-values are always-valid, as it looked after every round"
    return text
