"""Multiple-comparison corrections over a family of p-values (every variant x metric of an experiment).

Holm controls the family-wise error rate; Benjamini-Hochberg controls the false discovery rate and
keeps more power when many metrics are read at once. Missing p-values (None) are left out of the family.
"""

from collections.abc import Sequence
from typing import Literal

import numpy as np

Correction = Literal["holm", "bh", "none"]
CORRECTIONS: tuple[str, ...] = ("holm", "bh", "none")


def adjust_pvalues(p_values: Sequence[float | None], method: Correction = "holm") -> list[float | None]:
    if method not in CORRECTIONS:
        raise ValueError(f"unknown correction {method!r}; choose one of: {', '.join(CORRECTIONS)}")
    present = [i for i, p in enumerate(p_values) if p is not None]
    adjusted: list[float | None] = [None] * len(p_values)
    if not present:
        return adjusted
    p = np.array([p_values[i] for i in present], dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        # Step-down: the k-th smallest is scaled by (m - k + 1); monotone from the smallest up.
        scaled = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method == "bh":
        # Step-up: scaled by m / k; monotone from the largest down.
        scaled = np.minimum.accumulate((m / np.arange(1, m + 1) * ranked)[::-1])[::-1]
    else:
        scaled = ranked
    result = np.empty(m)
    result[order] = np.minimum(scaled, 1.0)
    for slot, value in zip(present, result):
        adjusted[slot] = float(value)
    return adjusted
