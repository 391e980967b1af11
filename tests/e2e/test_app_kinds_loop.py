"""The whole loop on the three bundled apps of the common kinds, none with a variantlab.toml:
a Flask + Jinja blog, a Vite + React single-page app built to static files, an Express + EJS shop.

Each must come up by detection, be measured on goal-relevant tasks, get at least one variant built
whose champion run kept the app's own tests and passed its behavioural checks, and have that variant
measured by the panel. Installs reach the package registries (npm, PyPI) once per lockfile.
"""

import dagster as dg
import pytest
from sqlalchemy import select

from db.models import BrowserSession, Experiment, Solve, SolveRun, TestFlow, TestSession, Variant
from db.session import session_scope
from pipelines.definitions import defs
from pipelines.jobs import MAIN_STAGES
from tests.pipelines.conftest import make_experiment

pytestmark = [pytest.mark.slow, pytest.mark.browser]

APPS = [
    ("blog", "New visitors can't figure out how to sign up and write their first post", "python"),
    ("spa", "Users can't find what they are looking for", "node"),
    ("express", "Users don't know if their action worked", "node"),
]


@pytest.mark.parametrize(("app", "goal", "kind"), APPS, ids=[a for a, *_ in APPS])
def test_the_loop_builds_and_measures_a_variant(app_db: str, app: str, goal: str, kind: str):
    experiment_id = make_experiment(app_db, app, goal)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    result = defs().resolve_implicit_global_asset_job_def().execute_in_process(
        partition_key=experiment_id, instance=instance, raise_on_error=False,
        asset_selection=[dg.AssetKey(s) for s in MAIN_STAGES])
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    with session_scope(app_db) as s:
        experiment = s.get(Experiment, experiment_id)
        assert experiment.bringup_plan["kind"] == kind and experiment.bringup_plan["evidence"]
        flows = s.scalars(select(TestFlow).join(TestSession).where(TestSession.experiment_id == experiment_id)).all()
        # Goal-relevant tasks drawn from the rendered app, not only a wander around it.
        assert any(f.task["kind"] != "explore" for f in flows), [f.name for f in flows]
        variants = s.scalars(select(Variant).where(Variant.experiment_id == experiment_id,
                                                   Variant.type == "experiment")).all()
        assert variants, experiment.champion_reason
        measured = []
        for variant in variants:
            champion = s.get(SolveRun, variant.source_run_id)
            assert s.scalars(select(Solve.champion_run_id).where(Solve.id == champion.solve_id)).one() == champion.id
            sessions = s.scalars(select(BrowserSession).where(BrowserSession.variant_id == variant.id,
                                                              BrowserSession.stage == "browser_results")).all()
            # Kept the app's own tests and proved, in a browser, that users can do what it promised.
            if champion.tests_passed and champion.goal_checks_passed and variant.deploy_status == "ready" and sessions:
                measured.append(variant.key)
        details = [(v.suggestion, s.get(SolveRun, v.source_run_id).goal_checks_passed, v.deploy_status) for v in variants]
        assert measured, details
        assert experiment.champion_reason and "nothing to compare" not in experiment.champion_reason
