"""Shipping to a GitHub remote through githubkit, against a loopback server speaking GitHub's REST API.

The git side is real: git's own url.<base>.insteadOf sends the push for https://github.com/acme/signup.git
to a local bare repository, so every check of "nothing half-pushed" looks at a real remote.
"""

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from agents.ship.refusals import Refusal, ShipRefused
from settings import GitHubSettings, Settings
from shipping.service import ship_change
from tests.ship.fake_github import FakeGitHub, Fault, serve
from tests.ship.world import GOAL, GitWorld, git, seed_shippable

GITHUB_REMOTE = "https://github.com/acme/signup.git"
TOKEN = "ghp_loopbacktoken0000000000000000000000"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with serve(FakeGitHub()) as running:
        yield running


@pytest.fixture
def github_world(world: GitWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitWorld:
    config = tmp_path / "gitconfig"
    config.write_text(f'[url "{world.remote}"]\n\tinsteadOf = {GITHUB_REMOTE}\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    return world


def _settings(settings: Settings, fake: FakeGitHub, token: str | None = TOKEN) -> Settings:
    return settings.model_copy(update={"github": GitHubSettings(
        token=SecretStr(token) if token else None, api_url=fake.url, timeout_s=5)})


def _branches(world: GitWorld) -> list[str]:
    return git("for-each-ref", "--format=%(refname:short)", "refs/heads", cwd=world.remote).split()


def test_opens_a_pull_request_with_the_evidence_and_records_it(app_db, github_world, settings, fake):
    experiment_id = seed_shippable(app_db, github_world)
    shipped = ship_change(experiment_id, _settings(settings, fake), remote=GITHUB_REMOTE)

    assert shipped.published.url == "https://github.com/acme/signup/pull/1"
    assert shipped.published.pull_request == 1
    (create,) = fake.calls("POST", "/pulls")
    assert create.path == "/repos/acme/signup/pulls"
    assert create.headers["authorization"].endswith(TOKEN)
    assert create.body["head"] == f"variantlab/{experiment_id}-v1" and create.body["base"] == "main"
    assert GOAL in create.body["body"] and "adjusted p = 0.004" in create.body["body"]
    assert f"variantlab/{experiment_id}-v1" in _branches(github_world)
    from db.report import experiment_report
    from db.session import session_scope

    with session_scope(app_db) as s:
        report = experiment_report(s, experiment_id)
    assert next(v for v in report["variants"] if v["key"] == "v1")["pr_url"] == shipped.published.url


def test_shipping_again_updates_the_same_pull_request(app_db, github_world, settings, fake):
    experiment_id = seed_shippable(app_db, github_world)
    ship_change(experiment_id, _settings(settings, fake), remote=GITHUB_REMOTE)
    again = ship_change(experiment_id, _settings(settings, fake), remote=GITHUB_REMOTE)
    assert again.published.pull_request == 1 and len(fake.pulls) == 1
    assert len(fake.calls("POST", "/pulls")) == 1 and len(fake.calls("PATCH", "/pulls/1")) == 1


def test_a_pull_request_opened_meanwhile_is_updated_not_doubled(app_db, github_world, settings, fake):
    """422 "A pull request already exists": someone opened it between our look and our request."""
    experiment_id = seed_shippable(app_db, github_world)
    branch = f"variantlab/{experiment_id}-v1"
    fake.pulls.append({"number": 7, "state": "open", "title": "by hand", "body": "", "head": {"ref": branch},
                       "base": {"ref": "main"}, "html_url": "https://github.com/acme/signup/pull/7"})
    fake.faults.append(Fault("GET", r"/repos/acme/signup/pulls", 200, [], times=1))
    shipped = ship_change(experiment_id, _settings(settings, fake), remote=GITHUB_REMOTE)
    assert len(fake.calls("POST", "/pulls")) == 1
    assert shipped.published.pull_request == 7 and len(fake.pulls) == 1
    assert fake.pulls[0]["title"] != "by hand" and fake.calls("PATCH", "/pulls/7")


def test_bad_credentials_are_refused_before_anything_is_pushed(app_db, github_world, settings, fake):
    experiment_id = seed_shippable(app_db, github_world)
    fake.faults.append(Fault("GET", r"/repos/acme/signup", 401, {
        "message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}))
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, _settings(settings, fake), remote=GITHUB_REMOTE)
    assert refused.value.kind is Refusal.AUTH
    assert "Bad credentials" in str(refused.value) and "VARIANTLAB_GITHUB__TOKEN" in str(refused.value)
    assert TOKEN not in str(refused.value)
    assert _branches(github_world) == ["main"]


def test_a_token_that_cannot_push_is_refused(app_db, github_world, settings, fake):
    experiment_id = seed_shippable(app_db, github_world)
    fake.can_push = False
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, _settings(settings, fake), remote=GITHUB_REMOTE)
    assert refused.value.kind is Refusal.NOT_WRITABLE and _branches(github_world) == ["main"]


def test_rate_limit_is_refused_with_its_reset_time(app_db, github_world, settings, fake):
    experiment_id = seed_shippable(app_db, github_world)
    reset = int(time.time()) + 600
    fake.faults.append(Fault("GET", r"/repos/acme/signup/pulls", 403, {
        "message": "API rate limit exceeded for user ID 1.", "status": "403"},
        headers={"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}))
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, _settings(settings, fake), remote=GITHUB_REMOTE)
    assert refused.value.kind is Refusal.RATE_LIMITED
    assert f"{dt.datetime.fromtimestamp(reset, dt.UTC):%H:%M} UTC (in 10 min)" in str(refused.value)
    assert _branches(github_world) == ["main"]


def test_a_pull_request_that_cannot_be_opened_takes_its_branch_back(app_db, github_world, settings, fake):
    """Nothing half-pushed: the push happened, the pull request failed, so the branch goes again."""
    experiment_id = seed_shippable(app_db, github_world)
    fake.faults.append(Fault("POST", r"/repos/acme/signup/pulls", 403, {
        "message": "API rate limit exceeded", "status": "403"},
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 60)}))
    with pytest.raises(ShipRefused) as refused:
        ship_change(experiment_id, _settings(settings, fake), remote=GITHUB_REMOTE)
    assert refused.value.kind is Refusal.RATE_LIMITED
    assert _branches(github_world) == ["main"] and fake.pulls == []


def test_an_updated_branch_is_restored_when_its_pull_request_cannot_be_updated(app_db, github_world, settings,
                                                                               fake):
    experiment_id = seed_shippable(app_db, github_world)
    first = ship_change(experiment_id, _settings(settings, fake), remote=GITHUB_REMOTE)
    git("commit", "--allow-empty", "-qm", "main moves on", cwd=github_world.checkout)
    git("push", "-q", "origin", "main", cwd=github_world.checkout)
    fake.faults.append(Fault("PATCH", r"/repos/acme/signup/pulls/1", 401, {"message": "Bad credentials"}))
    with pytest.raises(ShipRefused):
        ship_change(experiment_id, _settings(settings, fake), remote=GITHUB_REMOTE)
    tip = git("rev-parse", first.published.branch, cwd=github_world.remote)
    assert tip == first.published.commit


def test_without_a_token_the_branch_is_pushed_and_the_compare_page_recorded(app_db, github_world, settings, fake):
    experiment_id = seed_shippable(app_db, github_world)
    shipped = ship_change(experiment_id, _settings(settings, fake, token=None), remote=GITHUB_REMOTE)
    branch = f"variantlab/{experiment_id}-v1"
    assert shipped.published.url == f"https://github.com/acme/signup/compare/main...{branch}?expand=1"
    assert shipped.published.pull_request is None and fake.seen == []
    assert branch in _branches(github_world)
