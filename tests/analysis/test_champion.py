import re

import pytest

from analysis.champion import choose_champion_variant
from analysis.engine import analyze
from analysis.guardrails import Guardrail
from analysis.rows import MetricRow


def _binomial(variant: str, n: int, successes: int) -> MetricRow:
    return MetricRow(variant, "task_success", "binomial", n, successes, successes)


def _load(variant: str, n: int, mean: float, sd: float) -> MetricRow:
    return MetricRow(variant, "load_ms", "mean", n, n * mean, n * (mean**2 + sd**2) * 1.0, False)


GUARDRAILS = {"load_ms": Guardrail(margin=0.02)}


def test_largest_significant_improvement_wins():
    rows = [_binomial("control", 400, 200), _binomial("small", 400, 250), _binomial("big", 400, 290)]
    decision = choose_champion_variant(analyze(rows, "control"), "task_success")
    assert decision.variant == "big"
    assert decision.qualified == ("big", "small")
    assert "big +22.5 percentage points (+45.0% relative) on task_success" in decision.reason


def test_guardrail_violation_disqualifies():
    rows = [
        _binomial("control", 400, 200),
        _binomial("fast", 400, 250),
        _binomial("heavy", 400, 290),
        _load("control", 400, 1000.0, 100.0),
        _load("fast", 400, 990.0, 100.0),
        _load("heavy", 400, 1200.0, 100.0),
    ]
    decision = choose_champion_variant(analyze(rows, "control", guardrails=GUARDRAILS), "task_success")
    assert decision.variant == "fast" and decision.qualified == ("fast",)


@pytest.mark.parametrize(
    ("rows", "expected_words"),
    [
        ([_binomial("control", 400, 200), _binomial("meh", 400, 205)], "no variant significantly improved"),
        ([_binomial("control", 400, 200), _binomial("worse", 400, 150)], "no variant significantly improved"),
        ([_binomial("control", 400, 200)], "no comparison possible"),
        ([_binomial("control", 1000, 500), _binomial("big", 1400, 1000)], "sample ratio mismatch"),
        ([_binomial("control", 400, 200), _load("x", 400, 1.0, 0.1)], "could be compared"),
        (
            [
                _binomial("control", 400, 200),
                _binomial("a", 400, 290),
                _load("control", 400, 1000, 100),
                _load("a", 400, 1300, 100),
            ],
            "violated a guardrail",
        ),
    ],
)
def test_keeps_the_baseline_with_a_reason(rows, expected_words):
    decision = choose_champion_variant(analyze(rows, "control", guardrails=GUARDRAILS), "task_success")
    assert decision.variant is None
    assert expected_words in decision.reason


def _actions(variant: str, n: int, mean: float, sd: float) -> MetricRow:
    return MetricRow(variant, "actions", "mean", n, n * mean, n * (mean**2 + sd**2), False)


def test_secondary_metric_decides_when_the_primary_cannot():
    # Every arm completes the task; only effort differs.
    rows = [_binomial("control", 40, 40), _binomial("search", 40, 40), _binomial("sort", 40, 40),
            _actions("control", 40, 12.0, 3.0), _actions("search", 40, 5.0, 2.0), _actions("sort", 40, 11.5, 3.0)]
    report = analyze(rows, "control")
    assert choose_champion_variant(report, "task_success").variant is None
    decision = choose_champion_variant(report, "task_success", ("actions",))
    assert decision.variant == "search" and decision.qualified == ("search",)
    assert "task_success not significantly different" in decision.reason


def test_secondary_win_does_not_excuse_primary_harm():
    rows = [_binomial("control", 200, 180), _binomial("fast", 200, 120),
            _actions("control", 200, 12.0, 3.0), _actions("fast", 200, 5.0, 2.0)]
    decision = choose_champion_variant(analyze(rows, "control"), "task_success", ("actions",))
    assert decision.variant is None
    assert "harmed" in decision.reason


def test_a_win_from_a_zero_baseline_is_described_in_points():
    rows = [_binomial("control", 12, 0), _binomial("hint", 12, 12)]
    decision = choose_champion_variant(analyze(rows, "control"), "task_success")
    assert decision.variant == "hint"
    assert "+100.0 percentage points on task_success" in decision.reason


def test_an_underpowered_no_winner_says_how_many_sessions_would_detect_the_closest_effect():
    rows = [_binomial("control", 16, 12), _binomial("search", 16, 15), _binomial("sort", 16, 12)]
    decision = choose_champion_variant(analyze(rows, "control"), "task_success")
    assert decision.variant is None
    needed = int(re.search(r"about (\d+) per arm would detect it with 80% power", decision.reason).group(1))
    assert "with 16 sessions per arm the panel is underpowered" in decision.reason
    assert 40 < needed < 200
    # A panel of that size, with the same rates, names the variant.
    scale = -(-needed // 16)
    bigger = [_binomial("control", 16 * scale, 12 * scale), _binomial("search", 16 * scale, 15 * scale),
              _binomial("sort", 16 * scale, 12 * scale)]
    assert choose_champion_variant(analyze(bigger, "control"), "task_success").variant == "search"


def test_no_power_note_when_nothing_improved_and_a_negligible_effect_gets_a_telling_figure():
    worse = [_binomial("control", 16, 12), _binomial("worse", 16, 9)]
    assert "underpowered" not in choose_champion_variant(analyze(worse, "control"), "task_success").reason
    big = [_binomial("control", 100_000, 50_000), _binomial("same", 100_000, 50_001)]
    reason = choose_champion_variant(analyze(big, "control"), "task_success").reason
    needed = int(re.search(r"about ([\d,]+) per arm", reason).group(1).replace(",", ""))
    assert needed > 1000 * 100_000  # an effect this small is not worth a panel


def test_arms_that_all_came_out_the_same_are_not_called_incomparable():
    # Every session of every arm succeeded with the same effort: there was nothing to test.
    rows = [_binomial("control", 40, 40), _binomial("v1", 40, 40), _binomial("v2", 40, 40),
            _actions("control", 40, 2.0, 0.0), _actions("v1", 40, 2.0, 0.0), _actions("v2", 40, 2.0, 0.0)]
    decision = choose_champion_variant(analyze(rows, "control"), "task_success", ("actions",))
    assert decision.variant is None
    assert decision.reason == ("every arm came out the same on task_success (100% in every session of every "
                               "arm): no variant can beat it; keeping the baseline")
    # One arm different but still untestable (constant in both arms) is not "the same".
    rows[2] = _binomial("v2", 40, 0)
    other = choose_champion_variant(analyze(rows, "control"), "task_success", ("actions",))
    assert "came out the same" not in other.reason


def test_a_metric_constant_within_arms_but_different_between_them_is_named_beside_the_same_primary():
    # Two accessibility fixes each remove one violation from every page: untestable (no variance), not
    # decisive, but not "all the same" either.
    def violations(variant: str, per_session: float) -> MetricRow:
        return MetricRow(variant, "a11y_violations", "mean", 16, 16 * per_session, 16 * per_session**2, False)

    rows = [_binomial("control", 16, 16), _binomial("v1", 16, 16), _binomial("v2", 16, 16),
            violations("control", 7.0), violations("v1", 6.0), violations("v2", 8.0)]
    reason = choose_champion_variant(analyze(rows, "control"), "task_success").reason
    assert reason.startswith("every arm came out the same on task_success (100% in every session of every arm)")
    assert "a11y_violations was constant within each arm and better on v1 6 than control 7" in reason, reason
    assert "a11y_violations was constant within each arm and worse on v2 8 than control 7" in reason, reason
    assert reason.endswith("(in every session: untestable, and not part of the decision); keeping the baseline")
