"""Build sufficient statistics from raw simulated data, the way the SQL layer does."""

import numpy as np

from analysis.statistics import SampleStats


def stats_of(values: np.ndarray, kind: str = "mean") -> SampleStats:
    values = np.asarray(values, dtype=float)
    return SampleStats(
        n=len(values), sum=float(values.sum()), sum_squares=float((values**2).sum()), kind=kind
    )
