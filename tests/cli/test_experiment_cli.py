"""`variantlab experiment create|list`: every validation rule, with nothing written on bad input."""

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from cli.main import app
from db.models import Experiment, TimelineEvent

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", f"sqlite:///{path}")
    return path


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "site"
    repo.mkdir()
    (repo / "index.html").write_text("<h1>hi</h1>")
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    subprocess.run([*git, "branch", "feature/search-v2"], check=True)
    return repo


def _count(db_file: Path) -> int:
    if not db_file.exists():
        return 0
    engine = create_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Experiment)).scalar_one()
    finally:
        engine.dispose()


def create(*args: str):
    return runner.invoke(app, ["experiment", "create", *args])


def test_create_and_list_round_trip(db_file: Path, git_repo: Path):
    result = create("--repo", str(git_repo), "--goal", "  Users can't find products  ", "--branch", "feature/search-v2",
                    "--json")
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created["id"].startswith("exp_") and created["goal"] == "Users can't find products"
    assert created["branch"] == "feature/search-v2" and created["status"] == "pending"
    listed = json.loads(runner.invoke(app, ["experiment", "list", "--json"]).output)
    assert [e["id"] for e in listed] == [created["id"]]
    engine = create_engine(f"sqlite:///{db_file}")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(TimelineEvent)).scalar_one() == 1
    engine.dispose()


@pytest.mark.parametrize("repo", [
    "https://github.com/acme/shop.git", "https://gitlab.example.com:8443/group/sub/app",
    "ssh://git@github.com/acme/shop.git", "git@github.com:acme/shop.git",
])
def test_remote_urls_accepted(db_file: Path, repo: str):
    assert create("--repo", repo, "--goal", "g").exit_code == 0
    assert _count(db_file) == 1


def test_bundled_example_folder_accepted(db_file: Path):
    assert create("--repo", str(EXAMPLES / "shop"), "--goal", "g").exit_code == 0


BAD_REPOS = [
    ("", "--repo is empty"),
    ("   ", "--repo is empty"),
    ("http://github.com/acme/shop", "scheme 'http' is not allowed"),
    ("ftp://example.com/repo.git", "scheme 'ftp' is not allowed"),
    ("file:///etc/passwd", "scheme 'file' is not allowed"),
    ("https://", "not a valid https git URL"),
    ("https://github.com/acme/shop;rm -rf /", "not a valid https git URL"),
    ("https://github.com/../../etc", "not a valid https git URL"),
    ("https://github.com/acme/$(whoami)", "not a valid https git URL"),
    ("ssh://git@github.com/acme/`id`", "not a valid ssh git URL"),
    ("/definitely/not/here", "neither a git URL nor an existing local path"),
    ("relative/missing", "neither a git URL nor an existing local path"),
    ("https://github.com/acme/shop\n", "control characters"),
]


@pytest.mark.parametrize(("repo", "message"), BAD_REPOS)
def test_bad_repo(db_file: Path, repo: str, message: str):
    result = create("--repo", repo, "--goal", "g")
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.count("\n") == 1  # one line
    assert _count(db_file) == 0 and not db_file.exists()


def test_a_folder_that_is_no_web_app_and_a_file_are_refused(db_file: Path, tmp_path: Path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "README.md").write_text("# notes\n")
    refused = create("--repo", str(folder), "--goal", "g")
    assert refused.exit_code == 2 and refused.output.count("\n") == 1
    assert "not a web app" in refused.output and "variantlab.toml" in refused.output
    file = tmp_path / "file.txt"
    file.write_text("x")
    assert "is a file" in create("--repo", str(file), "--goal", "g").output
    assert not db_file.exists()


def test_a_plain_folder_holding_a_web_app_needs_no_config(db_file: Path, tmp_path: Path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>t</title><h1>Hello</h1>")
    assert create("--repo", str(folder), "--goal", "g").exit_code == 0
    assert _count(db_file) == 1


BAD_BRANCHES = [
    ("a..b", "must not contain '..'"),
    ("-rf", "must not start with '-'"),
    ("main;rm -rf /", "forbidden characters"),
    ("feat$(id)", "forbidden characters"),
    ("feat`id`", "forbidden characters"),
    ("has space", "forbidden characters"),
    ("a~1", "forbidden characters"),
    ("a^", "forbidden characters"),
    ("a:b", "forbidden characters"),
    ("a?b", "forbidden characters"),
    ("a*b", "forbidden characters"),
    ("a[b", "forbidden characters"),
    ("a\\b", "forbidden characters"),
    ("a|b", "forbidden characters"),
    ("a@{1}", "forbidden characters"),
    ("@", "must not contain '@{' or be '@'"),
    ("/lead", "empty path component"),
    ("trail/", "empty path component"),
    ("a//b", "empty path component"),
    ("ends.", "must not end with '.' or '.lock'"),
    ("x.lock", "must not end with '.' or '.lock'"),
    ("a/.hidden", "component starting with '.'"),
    ("b" * 256, "longer than 255"),
]


@pytest.mark.parametrize(("branch", "message"), BAD_BRANCHES)
def test_bad_branch(db_file: Path, git_repo: Path, branch: str, message: str):
    result = create("--repo", str(git_repo), "--goal", "g", "--branch", branch)
    assert result.exit_code == 2
    assert message in result.output
    assert not db_file.exists()


@pytest.mark.parametrize(("goal", "message"), [
    ("", "--goal is empty"),
    ("   \n\t", "--goal is empty"),
    ("x" * 2001, "the limit is 2000"),
    ("bad\x00goal", "control characters"),
])
def test_bad_goal(db_file: Path, git_repo: Path, goal: str, message: str):
    result = create("--repo", str(git_repo), "--goal", goal)
    assert result.exit_code == 2 and message in result.output
    assert not db_file.exists()


def test_branch_must_exist_in_a_local_repo(db_file: Path, git_repo: Path):
    result = create("--repo", str(git_repo), "--goal", "g", "--branch", "no-such-branch")
    assert result.exit_code == 2 and "'no-such-branch' does not exist in" in result.output
    result = create("--repo", str(EXAMPLES / "shop"), "--goal", "g", "--branch", "main")
    assert result.exit_code == 2 and "plain app folder without git history" in result.output
    assert not db_file.exists()


def test_goal_at_the_limit_is_fine(db_file: Path, git_repo: Path):
    assert create("--repo", str(git_repo), "--goal", "x" * 2000).exit_code == 0


@pytest.mark.parametrize("n", ["0", "11", "-3"])
def test_bad_number_of_suggestions(db_file: Path, git_repo: Path, n: str):
    result = create("--repo", str(git_repo), "--goal", "g", "--suggestions", n)
    assert result.exit_code == 2 and "--suggestions must be between 1 and 10" in result.output
    assert not db_file.exists()


def test_num_suggestions_setting_is_the_default(db_file: Path, git_repo: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VARIANTLAB_EXPERIMENT__NUM_SUGGESTIONS", "5")
    result = create("--repo", str(git_repo), "--goal", "g", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["num_suggestions"] == 5
    # An explicit option wins, even when it equals the built-in default.
    for given in ("3", "7"):
        result = create("--repo", str(git_repo), "--goal", "g", "--suggestions", given, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["num_suggestions"] == int(given)


def test_num_suggestions_default_without_the_setting(db_file: Path, git_repo: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("VARIANTLAB_EXPERIMENT__NUM_SUGGESTIONS", raising=False)
    result = create("--repo", str(git_repo), "--goal", "g", "--json")
    assert json.loads(result.output)["num_suggestions"] == 3


def test_bad_num_suggestions_setting_names_the_variable(db_file: Path, git_repo: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VARIANTLAB_EXPERIMENT__NUM_SUGGESTIONS", "12")
    result = create("--repo", str(git_repo), "--goal", "g")
    assert result.exit_code == 2
    assert "VARIANTLAB_EXPERIMENT__NUM_SUGGESTIONS must be between 1 and 10, got 12" in result.output
    assert not db_file.exists()


def test_existing_database_untouched_by_bad_input(db_file: Path, git_repo: Path):
    assert create("--repo", str(git_repo), "--goal", "g").exit_code == 0
    assert create("--repo", str(git_repo), "--goal", "g", "--branch", "..").exit_code == 2
    assert _count(db_file) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["report", "exp_0000000000000000"], "unknown experiment exp_0000000000000000"),
    (["report", "nonsense"], "is not an experiment id"),
    (["run", "exp_0000000000000000"], "unknown experiment exp_0000000000000000"),
    (["run", "exp_0000000000000000", "--stage", "deploy"], "unknown stage 'deploy'"),
])
def test_unknown_experiment_ids_and_stages(db_file: Path, args: list[str], message: str):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
