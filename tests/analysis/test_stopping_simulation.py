"""A/A simulation of the round-wise stopping rule: panels with no true effect, looked at after every round
as the browser panel does, name a winner no more often than alpha; peeking at fixed-horizon tests would."""

import numpy as np
import pytest
from scipy import stats

from analysis.frequentist import compare
from analysis.multiple import adjust_pvalues
from analysis.rows import MetricRow
from analysis.stopping import Look, StoppingRule, StopReason, decide, next_round_size

ALPHA = 0.05
ARMS = ("control", "v1", "v2")  # the demo's shape: a control and two variants
FIRST, ROUND, MOST = 16, 16, 160  # the default panel: 16 sessions per arm, then rounds of 16, up to 160
RULE = StoppingRule("task_success", max_sessions_per_arm=MOST, time_budget_s=float("inf"),
                    secondary_metrics=("actions",), alpha=ALPHA)


def _panels(experiments: int, success: tuple[float, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Every session of every arm up to the budget: task success (0/1) and actions (Poisson, mean 6)."""
    rng = np.random.default_rng(seed)
    shape = (experiments, len(ARMS), MOST)
    return (rng.random(shape) < np.array(success)[None, :, None]).astype(float), rng.poisson(6.0, shape).astype(float)


def _rows(successes: np.ndarray, actions: np.ndarray, n: int) -> tuple[MetricRow, ...]:
    rows = []
    for arm, key in enumerate(ARMS):
        s, a = successes[arm, :n], actions[arm, :n]
        rows.append(MetricRow(key, "task_success", "binomial", n, float(s.sum()), float(s.sum())))
        rows.append(MetricRow(key, "actions", "mean", n, float(a.sum()), float((a * a).sum()), False))
    return tuple(rows)


def _looks() -> list[int]:
    """Sessions per arm at each look: after the first round, then after every round until the budget."""
    looks = [FIRST]
    while step := next_round_size(looks[-1], round_size=ROUND, max_sessions_per_arm=MOST, unit=1):
        looks.append(looks[-1] + step)
    return looks


def _stopped(successes: np.ndarray, actions: np.ndarray) -> tuple[StopReason, str | None, int]:
    looks = _looks()
    for index, n in enumerate(looks):
        upcoming = looks[index + 1] - n if index + 1 < len(looks) else 0
        decision = decide(Look(index + 1, _rows(successes, actions, n), n, upcoming, 0.0), RULE)
        if decision.stop:
            return decision.reason, decision.winner, n
    raise AssertionError("the rule ran past its budget")


def _peeking_decides(successes: np.ndarray, actions: np.ndarray) -> bool:
    """The naive rule: the engine's fixed-horizon tests, Holm over the same family, read after every round."""
    for n in _looks():
        rows = {(r.variant, r.metric): r.stats() for r in _rows(successes, actions, n)}
        family = [(variant, metric) for variant in ARMS[1:] for metric in ("task_success", "actions")]
        p_values = [compare(rows[("control", metric)], rows[(variant, metric)], alpha=ALPHA).p_value
                    for variant, metric in family]
        adjusted = adjust_pvalues(p_values, "holm")
        if any(p is not None and p < ALPHA for (_, metric), p in zip(family, adjusted) if metric == "task_success"):
            return True
    return False


@pytest.mark.parametrize("rate", [0.75, 0.95])  # the demo shop's success rate, and one near the ceiling
def test_aa_false_positive_rate_under_the_round_wise_rule_stays_at_or_below_alpha(rate):
    experiments = 500
    successes, actions = _panels(experiments, (rate,) * len(ARMS), seed=int(rate * 100))
    outcomes = [_stopped(successes[e], actions[e]) for e in range(experiments)]
    false_positives = sum(reason is StopReason.DECIDED for reason, _, _ in outcomes)
    # Binomial tolerance: fail when so many decisions would be unlikely (p < 0.001) at a true rate of alpha.
    assert stats.binom.sf(false_positives - 1, experiments, ALPHA) > 0.001, false_positives / experiments
    assert all(n == MOST for reason, _, n in outcomes if reason is StopReason.MAX_SESSIONS)


def test_peeking_at_fixed_horizon_tests_would_exceed_alpha():
    # The same simulation tells a rule that inflates errors from one that does not.
    experiments = 300
    successes, actions = _panels(experiments, (0.75,) * len(ARMS), seed=75)
    false_positives = sum(_peeking_decides(successes[e], actions[e]) for e in range(experiments))
    assert stats.binom.cdf(false_positives - 1, experiments, ALPHA) > 0.999, false_positives / experiments


def test_a_real_effect_is_decided_for_the_better_variant_within_the_budget():
    # The demo shop's effect (75 % against 94 %): the rule must also have power, or never stopping would pass.
    experiments = 150
    successes, actions = _panels(experiments, (0.75, 0.94, 0.75), seed=3)
    outcomes = [_stopped(successes[e], actions[e]) for e in range(experiments)]
    right = [n for reason, winner, n in outcomes if reason is StopReason.DECIDED and winner == "v1"]
    assert len(right) / experiments > 0.7
    assert FIRST < np.median(right) < MOST  # it decides part-way, after more than the first round
