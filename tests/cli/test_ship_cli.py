"""`variantlab ship`: the branch, the link in the report, the Dagster metadata; refusals in one line."""

import json
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from db.models import TimelineEvent
from db.session import session_scope
from tests.pipelines.conftest import app_db  # noqa: F401  (a fixture, used by name)
from tests.ship.world import GitWorld, git, make_git_world, seed_shippable


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitWorld:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    return make_git_world(tmp_path / "git")


def _ship_events(url: str) -> int:
    with session_scope(url) as s:
        return s.scalar(select(func.count()).select_from(TimelineEvent).where(TimelineEvent.type.like("ship_%")))


def test_ship_prints_the_branch_records_it_in_dagster_and_the_report(app_db: str, world: GitWorld):  # noqa: F811
    experiment_id = seed_shippable(app_db, world)
    outcome = CliRunner().invoke(app, ["ship", experiment_id])
    assert outcome.exit_code == 0, outcome.output
    branch = f"variantlab/{experiment_id}-v1"
    assert f"shipped v1 of {experiment_id} as branch: {world.remote}#{branch}" in outcome.output
    assert git("rev-parse", branch, cwd=world.remote)

    from pipelines.instances import get_instance

    with get_instance() as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey("shipped_change"))
    assert event is not None and event.asset_materialization.partition == experiment_id
    metadata = event.asset_materialization.metadata
    assert metadata["branch"].value == branch and metadata["remote"].value == str(world.remote)

    report = json.loads(CliRunner().invoke(app, ["report", experiment_id, "--json"]).output)
    assert next(v for v in report["variants"] if v["key"] == "v1")["pr_url"] == f"{world.remote}#{branch}"
    text = CliRunner().invoke(app, ["report", experiment_id]).output
    assert f"shipped v1: {world.remote}#{branch}" in text

    again = CliRunner().invoke(app, ["ship", experiment_id, "--json"])
    assert again.exit_code == 0 and json.loads(again.output)["pushed"] is False


@pytest.mark.parametrize(("args", "expected"), [
    (["--variant", "v9"], "has no variant 'v9' to ship (variants: v1)"),
    ([], "is not approved yet"),
])
def test_refusals_are_one_line_exit_2_and_write_nothing(app_db: str, world: GitWorld, args: list[str],  # noqa: F811
                                                        expected: str):
    experiment_id = seed_shippable(app_db, world, approved=False)
    outcome = CliRunner().invoke(app, ["ship", experiment_id, *args])
    assert outcome.exit_code == 2
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]
    assert _ship_events(app_db) == 0
    assert git("for-each-ref", "--format=%(refname:short)", cwd=world.remote) == "main"


def test_an_unknown_experiment_is_refused(app_db: str):  # noqa: F811
    outcome = CliRunner().invoke(app, ["ship", "exp_0000000000000000"])
    assert outcome.exit_code == 2 and "unknown experiment exp_0000000000000000" in outcome.stderr
