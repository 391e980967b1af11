"""Why a result could not be (fully) computed. Degenerate input yields one of these, never an exception."""

from enum import StrEnum


class ErrorCode(StrEnum):
    EMPTY_ARM = "EMPTY_ARM"  # an arm has n == 0
    TOO_FEW_SAMPLES = "TOO_FEW_SAMPLES"  # an arm has n == 1: no variance estimate
    ZERO_VARIANCE = "ZERO_VARIANCE"  # both arms are constant: the effect has no standard error
    ZERO_BASELINE_MEAN = "ZERO_BASELINE_MEAN"  # relative effect undefined; absolute fields still valid
    NO_BASELINE = "NO_BASELINE"  # the baseline variant has no row for this metric
    SINGLE_ARM = "SINGLE_ARM"  # nothing to compare against
    NO_COMPARISONS = "NO_COMPARISONS"  # Bradley-Terry without any comparison
