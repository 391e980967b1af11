import math

import numpy as np
import pytest
from scipy import stats

from analysis.engine import analyze
from analysis.power import sessions_to_detect
from analysis.rows import MetricRow


def _result(control: tuple[int, int], treatment: tuple[int, int]):
    rows = [MetricRow("control", "task_success", "binomial", control[0], control[1], control[1]),
            MetricRow("v1", "task_success", "binomial", treatment[0], treatment[1], treatment[1])]
    return analyze(rows, "control").results[0]


@pytest.mark.parametrize(("family_size", "power"), [(1, 0.8), (4, 0.8), (2, 0.9)])
def test_matches_the_textbook_two_proportion_formula(family_size: int, power: float) -> None:
    result = _result((200, 100), (200, 120))
    p1, p2 = 0.5, 0.6
    z = stats.norm.ppf(1 - 0.05 / (2 * family_size)) + stats.norm.ppf(power)
    textbook = z**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p2 - p1) ** 2
    assert sessions_to_detect(result, alpha=0.05, family_size=family_size, power=power) == math.ceil(textbook)


def test_a_panel_of_the_size_it_names_detects_the_effect_about_as_often_as_promised() -> None:
    needed = sessions_to_detect(_result((40, 20), (40, 26)), alpha=0.05, family_size=1)
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(400):
        c, t = rng.binomial(needed, 0.5), rng.binomial(needed, 0.65)
        hits += _result((needed, int(c)), (needed, int(t))).p_value < 0.05
    assert 0.72 < hits / 400 < 0.88


def test_undefined_without_an_effect_or_an_interval() -> None:
    assert sessions_to_detect(_result((50, 25), (50, 25)), alpha=0.05, family_size=1) is None
    assert sessions_to_detect(_result((50, 0), (50, 0)), alpha=0.05, family_size=1) is None
    with pytest.raises(ValueError):
        sessions_to_detect(_result((50, 25), (50, 30)), alpha=0.05, family_size=0)


def test_a_sequentially_read_panel_is_sized_on_the_fixed_horizon_error() -> None:
    """A panel that looked after every round reports wider, always-valid intervals; the sample size a
    fixed-horizon test needs must not be read off them (it came out about twice too large)."""
    from analysis.champion import choose_champion_variant
    from analysis.stopping import as_sequential

    rows = [MetricRow("control", "task_success", "binomial", 16, 10, 10),
            MetricRow("v1", "task_success", "binomial", 16, 12, 12)]
    fixed = analyze(rows, "control", correction="holm")
    sequential = as_sequential(fixed, rows)
    (f,), (s,) = fixed.results, sequential.results
    assert s.ci_abs[1] - s.ci_abs[0] > 1.5 * (f.ci_abs[1] - f.ci_abs[0])  # the always-valid one is wider
    needed = sessions_to_detect(f, alpha=0.05, family_size=1)
    p1, p2 = 10 / 16, 12 / 16
    textbook = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p2 - p1) ** 2
    assert needed == math.ceil(textbook)
    assert sessions_to_detect(s, alpha=0.05, family_size=1) == needed
    reason = choose_champion_variant(sequential, "task_success").reason
    assert f"about {needed:,} per arm would detect it with 80% power" in reason
