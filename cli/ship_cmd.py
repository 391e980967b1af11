"""`variantlab ship EXP_ID [--variant KEY] [--force] [--remote URL_OR_PATH] [--json]`."""

from __future__ import annotations

import json

import typer

from agents.ship.refusals import ShipRefused
from cli.errors import UserError, one_line, printable
from db.experiments import UnknownExperiment
from db.migrate import ensure_schema
from settings import get_settings
from shipping.service import Shipped, ship_change


def ship(experiment_id: str, *, variant: str | None, force: bool, remote: str | None, as_json: bool) -> None:
    ensure_schema()
    try:
        shipped = ship_change(experiment_id, get_settings(), variant_key=variant, force=force, remote=remote)
    except (ShipRefused, UnknownExperiment) as exc:
        raise UserError(str(exc)) from None
    try:
        record_in_dagster(shipped)
    except Exception as exc:  # noqa: BLE001 - the ship itself is done and recorded; say what is missing
        typer.echo(f"warning: shipped, but not recorded in Dagster: {one_line(str(exc))}", err=True)
    published = shipped.published
    if as_json:
        typer.echo(json.dumps({"experiment": experiment_id, "variant": shipped.variant_key, "url": published.url,
                               "branch": published.branch, "remote": published.remote, "commit": published.commit,
                               "base": published.base, "base_commit": published.base_commit,
                               "pull_request": published.pull_request, "pushed": published.pushed}, indent=2))
        return
    what = f"pull request #{published.pull_request}" if published.pull_request else "branch"
    typer.echo(f"shipped {shipped.variant_key} of {experiment_id} as {what}: {printable(published.url)}")
    state = "pushed" if published.pushed else "already there, unchanged"
    typer.echo(f"  {published.branch} at {published.commit[:12]} over {published.base or 'the measured base'} "
               f"{published.base_commit[:12]} on {printable(published.remote)} ({state})")


def record_in_dagster(shipped: Shipped) -> None:
    """The experiment's Dagster partition of shipped_change gets the same metadata as when the asset
    itself ships, so the Dagster UI shows the pull request whichever way it was opened."""
    import dagster as dg

    from assets.shipped_change import ASSET_KEY, ship_metadata
    from pipelines.instances import get_instance

    with get_instance() as instance:
        if not instance.has_dynamic_partition("experiments", shipped.experiment_id):
            instance.add_dynamic_partitions("experiments", [shipped.experiment_id])
        instance.report_runless_asset_event(dg.AssetMaterialization(
            asset_key=ASSET_KEY, partition=shipped.experiment_id, metadata=ship_metadata(shipped),
            description="shipped with variantlab ship"))
