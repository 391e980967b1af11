"""What a Dagster run or materialisation says about its experiment: its name and where to look at it.

Partition keys are bare experiment ids (pipelines/partitions.py), and Dagster has no description for
a dynamic partition key, so the name travels as a run tag (shown beside the partition in the runs
list, and filterable) and as materialisation metadata, with links to the dashboard.
"""

from __future__ import annotations

import dagster as dg

from db.links import dashboard_page
from settings import Settings

EXPERIMENT_NAME_TAG = "variantlab/experiment"
DASHBOARD_TAG = "variantlab/dashboard"


def experiment_tags(experiment_id: str, name: str, settings: Settings) -> dict[str, str]:
    """Run tags for one experiment's run; the name falls back to the id (a name may be blank)."""
    return {EXPERIMENT_NAME_TAG: name.strip() or experiment_id,
            DASHBOARD_TAG: dashboard_page(settings.dashboard_url, "comparison", experiment_id)}


def experiment_metadata(experiment_id: str, name: str, settings: Settings) -> dict[str, dg.MetadataValue]:
    """Materialisation metadata: the experiment's name and its comparison and timeline pages."""
    return {
        "experiment": dg.MetadataValue.text(name.strip() or experiment_id),
        "dashboard": dg.MetadataValue.url(dashboard_page(settings.dashboard_url, "comparison", experiment_id)),
        "timeline": dg.MetadataValue.url(dashboard_page(settings.dashboard_url, "timeline", experiment_id)),
    }
