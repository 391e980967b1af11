"""Proportions at the boundary: every unit of each arm succeeded or failed (e.g. 0/12 against 12/12).

The Wald test has no variance to work with there, yet the evidence can be overwhelming. Fisher's exact
test gives the p-value (exact for a 2x2 table, no large-sample assumption) and Newcombe's hybrid score
interval (from Wilson intervals of each arm) gives the interval for the difference.
"""

import math

from scipy import special

from analysis.statistics import SampleStats

Interval = tuple[float, float]


def wilson(successes: float, n: int, alpha: float) -> Interval:
    z = float(special.ndtri(1.0 - alpha / 2.0))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe_difference(control: SampleStats, treatment: SampleStats, alpha: float) -> Interval:
    """Interval for treatment.mean - control.mean (Newcombe 1998, method 10)."""
    p1, p2 = control.mean, treatment.mean
    l1, u1 = wilson(control.sum, control.n, alpha)
    l2, u2 = wilson(treatment.sum, treatment.n, alpha)
    d = p2 - p1
    return d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)


def fisher_p_value(control: SampleStats, treatment: SampleStats) -> float:
    # Imported here: scipy.stats costs about a second to import, and only boundary cases need it.
    from scipy import stats

    table = [[round(control.sum), control.n - round(control.sum)],
             [round(treatment.sum), treatment.n - round(treatment.sum)]]
    return float(stats.fisher_exact(table).pvalue)
