"""End to end: the sign-up example measured by the whole pipeline, its winner approved and shipped to
a bare remote; the branch is one commit over the base whose change is exactly the champion's diff."""

import dagster as dg
import pytest
from sqlalchemy import select

from db.approvals import approve_champion
from db.experiments import create_experiment
from db.models import Experiment, SolveRun, Variant
from db.session import session_scope
from db.users import get_or_create_user
from pipelines.definitions import defs
from pipelines.jobs import MAIN_STAGES
from settings import get_settings
from shipping.service import ship_change
from tests.ship.world import GOAL, GitWorld, git

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_the_signup_winner_ships_as_one_commit_carrying_the_champion_diff(app_db: str, world: GitWorld,
                                                                         monkeypatch: pytest.MonkeyPatch):
    # The default panel (the pipeline fixture's one user per flow is too few to name a winner).
    monkeypatch.delenv("VARIANTLAB_BROWSER__SESSIONS_PER_FLOW")
    monkeypatch.delenv("VARIANTLAB_BROWSER__MIN_SESSIONS_PER_VARIANT")
    with session_scope(app_db) as s:
        experiment_id = create_experiment(s, repo=str(world.checkout), goal=GOAL, num_suggestions=2).id
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    job = defs().resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(partition_key=experiment_id, instance=instance, raise_on_error=False,
                                    asset_selection=[dg.AssetKey(s) for s in MAIN_STAGES])
    assert result.success
    with session_scope(app_db) as s:
        experiment = s.get(Experiment, experiment_id)
        assert experiment.champion_variant_id, experiment.champion_reason
        champion = s.get(Variant, experiment.champion_variant_id)
        patch = s.get(SolveRun, champion.source_run_id).diff
        analyst = get_or_create_user(s, "ana@example.com", role="analyst").id
        # The completed run itself made the champion approvable (db/approvals.PIPELINE_MOVES).
        assert experiment.workflow_status == "beta"
    with session_scope(app_db) as s:
        approve_champion(s, experiment_id, analyst)

    shipped = ship_change(experiment_id, get_settings())

    branch = shipped.published.branch
    assert git("rev-list", "--count", f"main..{branch}", cwd=world.remote) == "1"
    assert git("rev-parse", f"{branch}^", cwd=world.remote) == world.base
    # The champion's diff applied to the base gives exactly the branch's tree.
    check = world.remote.parent / "check"
    git("clone", "-q", str(world.remote), str(check))
    git("apply", "--index", "--whitespace=nowarn", "-", cwd=check, input=patch)
    assert git("write-tree", cwd=check) == git("rev-parse", f"{branch}^{{tree}}", cwd=world.remote)
    message = git("log", "-1", "--format=%B", branch, cwd=world.remote)
    assert GOAL in message and f"Variantlab-Variant: {champion.key}" in message
    with session_scope(app_db) as s:
        assert s.scalars(select(SolveRun.pr_url).where(SolveRun.id == champion.source_run_id)).one() == \
            shipped.published.url
    print(f"\n--- shipped branch {branch} ---\n{message}")
