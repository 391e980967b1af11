"""Every stage of an experiment by one name: its Dagster asset, the deps that name it, its checks, its
stage rows and timeline events, and the CLI's `--stage` all use a `Stage` member.

Dagster keeps asset keys as plain strings and cannot serialise a custom Enum inside an AssetKey, deps
or tags: what crosses into Dagster is `stage.value`. A leaf module, so that every layer may import it.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """In the order a run goes through them."""

    TEST_FLOWS = "test_flows"
    CONTROL_ANALYSIS = "control_analysis"
    VARIANT_SUGGESTIONS = "variant_suggestions"
    VARIANT_IMPLEMENTATIONS = "variant_implementations"
    BROWSER_RESULTS = "browser_results"
    VARIANT_METRICS = "variant_metrics"
    EVALUATION_METRICS = "evaluation_metrics"
    # On demand only (`variantlab ship` or the Dagster UI): no run includes it and it keeps no stage rows.
    SHIPPED_CHANGE = "shipped_change"


# The stages a run of the experiment goes through, in order: what the experiment job selects and the
# names a stage row may carry. Plain strings, as Dagster takes them.
MAIN_STAGES: tuple[str, ...] = tuple(stage.value for stage in Stage if stage is not Stage.SHIPPED_CHANGE)
