"""Shipping to any git remote (here a local bare repository): one commit over the base carrying the
evidence, repeatable, refused in one line with the remote untouched."""

from pathlib import Path

import pytest
from sqlalchemy import select

from agents.ship.refusals import Refusal, ShipRefused
from db.models import SolveRun, TimelineEvent, Variant
from db.session import session_scope
from settings import Settings
from shipping.service import branch_name, ship_change
from tests.ship.world import GOAL, SUGGESTION, GitWorld, git, remote_commit, seed_shippable


def _events(url: str, experiment_id: str) -> list[str]:
    with session_scope(url) as s:
        return list(s.scalars(select(TimelineEvent.type).where(
            TimelineEvent.experiment_id == experiment_id, TimelineEvent.type.like("ship_%"))
            .order_by(TimelineEvent.created_at, TimelineEvent.id)))


def shipped_run_id(url: str, experiment_id: str) -> str:
    with session_scope(url) as s:
        return s.scalars(select(SolveRun.id).where(SolveRun.experiment_id == experiment_id)).one()


def _remote_branches(world: GitWorld) -> dict[str, str]:
    out = git("for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads", cwd=world.remote)
    return dict(line.split() for line in out.splitlines())


def test_ships_the_champion_as_one_commit_over_base_with_the_evidence(app_db: str, world: GitWorld,
                                                                        settings: Settings):
    experiment_id = seed_shippable(app_db, world)
    shipped = ship_change(experiment_id, settings)

    branch = branch_name(settings, experiment_id, "v1")
    assert branch == f"variantlab/{experiment_id}-v1"
    tip = _remote_branches(world)[branch]
    assert tip == shipped.published.commit and shipped.published.pushed
    assert git("rev-list", "--count", f"main..{branch}", cwd=world.remote) == "1"
    assert git("rev-parse", f"{branch}^", cwd=world.remote) == world.base
    with session_scope(app_db) as s:
        run = s.scalars(select(SolveRun).where(SolveRun.experiment_id == experiment_id)).one()
        patch = run.diff
        assert run.pr_url == f"{world.remote}#{branch}" == shipped.published.url
        assert run.commit_hash == tip and run.commit_message == shipped.message
        variant = s.scalars(select(Variant).where(Variant.key == "v1", Variant.experiment_id == experiment_id)).one()
        assert variant.deploy_status == "ready" and tip[:12] in variant.deploy_logs
        assert variant.deploy_started_at <= variant.deploy_completed_at
    # The branch's change is exactly the champion's.
    assert git("diff", world.base, branch, cwd=world.remote) + "\n" == patch
    message = git("log", "-1", "--format=%B", branch, cwd=world.remote)
    assert max(len(line) for line in message.splitlines()) <= 80  # wrapped for git log
    flat = " ".join(message.split())
    for evidence in (GOAL, SUGGESTION, ("task_success: 25% → 75%, +50.0 pp (95% CI +21.0 pp to +79.0 pp; "
                     "adjusted p = 0.004)"), "Sessions per arm: control 0, v1 0", "Guardrails: console_errors ok",
                     "Baseline tests: kept (all 3 tests that passed on the control still pass)",
                     "Approved: by ana@example.com", f"/comparison?exp={experiment_id}",
                     f"Variantlab-Experiment: {experiment_id}"):
        assert evidence in flat, evidence
    assert message.endswith(f"Variantlab-Run: {shipped_run_id(app_db, experiment_id)}")
    assert _events(app_db, experiment_id) == ["ship_started", "ship_completed"]


def test_shipping_again_pushes_nothing_new_and_keeps_one_branch(app_db: str, world: GitWorld, settings: Settings):
    experiment_id = seed_shippable(app_db, world)
    first = ship_change(experiment_id, settings)
    again = ship_change(experiment_id, settings)
    assert again.published.commit == first.published.commit and not again.published.pushed
    assert sorted(_remote_branches(world)) == ["main", f"variantlab/{experiment_id}-v1"]


def test_a_base_that_moved_elsewhere_still_takes_the_change_on_its_new_tip(app_db: str, world: GitWorld,
                                                                          settings: Settings):
    experiment_id = seed_shippable(app_db, world)
    ship_change(experiment_id, settings)
    (world.checkout / "CHANGELOG").write_text("unrelated\n")
    git("add", "CHANGELOG", cwd=world.checkout)
    git("commit", "-qm", "unrelated", cwd=world.checkout)
    git("push", "-q", "origin", "main", cwd=world.checkout)
    moved = git("rev-parse", "HEAD", cwd=world.checkout)

    shipped = ship_change(experiment_id, settings)  # the existing branch is updated (force-with-lease)
    assert shipped.published.base_commit == moved and shipped.published.pushed
    assert git("rev-parse", f"{shipped.published.branch}^", cwd=world.remote) == moved


def test_base_moved_and_the_change_no_longer_applies_is_refused_and_nothing_pushed(
        app_db: str, world: GitWorld, settings: Settings):
    experiment_id = seed_shippable(app_db, world)
    remote_commit(world, '<label for="fax">Facsimile</label>')
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, settings)
    assert refused.value.kind is Refusal.CONFLICT and "no longer applies" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert list(_remote_branches(world)) == ["main"]
    assert _events(app_db, experiment_id) == ["ship_started", "ship_failed"]
    with session_scope(app_db) as s:
        assert s.scalars(select(SolveRun.pr_url).where(SolveRun.experiment_id == experiment_id)).one() is None


def test_a_remote_that_refuses_the_push_is_refused_in_one_line(app_db: str, world: GitWorld, settings: Settings):
    experiment_id = seed_shippable(app_db, world)
    hook = world.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'branch creation is restricted' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, settings)
    assert refused.value.kind is Refusal.NOT_WRITABLE
    assert "cannot be written" in str(refused.value) and "restricted" in str(refused.value)
    assert list(_remote_branches(world)) == ["main"]


def test_a_remote_that_does_not_exist_is_refused(app_db: str, world: GitWorld, settings: Settings, tmp_path: Path):
    experiment_id = seed_shippable(app_db, world)
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, settings, remote=str(tmp_path / "nowhere.git"))
    assert refused.value.kind is Refusal.NOT_WRITABLE


def test_not_approved_is_refused_unless_forced(app_db: str, world: GitWorld, settings: Settings):
    experiment_id = seed_shippable(app_db, world, approved=False)
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, settings)
    assert refused.value.kind is Refusal.NOT_APPROVED
    assert _events(app_db, experiment_id) == [] and list(_remote_branches(world)) == ["main"]
    shipped = ship_change(experiment_id, settings, force=True)
    assert "Approved: no (shipped with --force)" in shipped.message


def test_no_champion_is_refused_and_another_variant_needs_force(app_db: str, world: GitWorld, settings: Settings):
    experiment_id = seed_shippable(app_db, world, champion=False)
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, settings)
    assert refused.value.kind is Refusal.NO_CHAMPION and "--variant" in str(refused.value)
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, settings, variant_key="v1")
    assert refused.value.kind is Refusal.NOT_APPROVED and "not the champion" in str(refused.value)
    assert ship_change(experiment_id, settings, variant_key="v1", force=True).published.pushed


def test_a_branch_someone_else_committed_to_is_not_overwritten(app_db: str, world: GitWorld, settings: Settings):
    experiment_id = seed_shippable(app_db, world)
    branch = ship_change(experiment_id, settings).published.branch
    clone = world.remote.parent / "reviewer"
    git("clone", "-q", "--branch", branch, str(world.remote), str(clone))
    (clone / "NOTES").write_text("a reviewer's fix\n")
    git("add", "NOTES", cwd=clone)
    git("commit", "-qm", "review fix", cwd=clone)
    git("push", "-q", "origin", branch, cwd=clone)
    theirs = git("rev-parse", "HEAD", cwd=clone)
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, settings)
    assert refused.value.kind is Refusal.BRANCH_TAKEN
    assert _remote_branches(world)[branch] == theirs
    assert ship_change(experiment_id, settings, force=True).published.pushed


def test_a_repository_without_a_remote_ships_to_the_one_given(app_db: str, settings: Settings, tmp_path: Path):
    from tests.ship.world import make_git_world

    world = make_git_world(tmp_path / "w")
    experiment_id = seed_shippable(app_db, world)
    git("remote", "remove", "origin", cwd=world.checkout)
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, settings)
    assert refused.value.kind is Refusal.NO_REMOTE and "--remote" in str(refused.value)
    empty = tmp_path / "empty.git"
    git("init", "-q", "--bare", str(empty))
    shipped = ship_change(experiment_id, settings, remote=str(empty))
    # An empty remote has no base: the branch carries the measured commit along, plus the change.
    assert shipped.published.base_commit == world.base
    assert git("rev-list", "--count", shipped.published.branch, cwd=empty) == "2"
