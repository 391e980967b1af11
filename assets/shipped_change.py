"""On demand only: the champion's change as a branch and pull request, with the evidence.

Not in experiment_job (db/stage_names.MAIN_STAGES leaves it out), so a normal run never ships;
someone materialises this partition from the Dagster UI, or runs `variantlab ship`, which records
the same metadata here.
"""

import dagster as dg

from agents.ship.refusals import ShipRefused
from assets.records import experiment_links
from assets.stage_runner import stage_asset
from db.stage_names import Stage
from pipelines.resources import AppDatabase, AppSettings
from shipping.service import Shipped, ship_change

ASSET_KEY = Stage.SHIPPED_CHANGE.value  # as Dagster keys it (variantlab ship records materialisations under it)


class ShipConfig(dg.Config):
    variant: str | None = None  # None: the champion variant
    force: bool = False  # ship without the champion's approval (or another variant than the champion)
    remote: str | None = None  # None: the experiment repository's own remote


def ship_metadata(shipped: Shipped) -> dict[str, object]:
    published = shipped.published
    return {"variant": shipped.variant_key, "url": dg.MetadataValue.url(published.url)
            if published.url.startswith("http") else published.url,
            "branch": published.branch, "remote": published.remote, "commit": published.commit,
            "base": published.base or "", "pull_request": published.pull_request or 0,
            "pushed": published.pushed, "commit_message": dg.MetadataValue.md(f"```\n{shipped.message}```")}


@stage_asset(Stage.SHIPPED_CHANGE, deps=[Stage.VARIANT_METRICS], kinds={"git"})
def shipped_change(context: dg.AssetExecutionContext, config: ShipConfig, database: AppDatabase,
                   settings: AppSettings) -> dg.MaterializeResult:
    """The approved champion as a branch (and on GitHub a pull request) that carries its evidence."""
    configured = settings.build().model_copy(update={"database_url": database.ready_url()})
    try:
        shipped = ship_change(context.partition_key, configured, variant_key=config.variant, force=config.force,
                              remote=config.remote)
    except ShipRefused as exc:
        # A refusal (not approved, conflicts, no access) is the same on a retry.
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    return dg.MaterializeResult(metadata={**experiment_links(context, database, configured),
                                          **ship_metadata(shipped)})
