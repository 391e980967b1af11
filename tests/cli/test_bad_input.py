"""Malformed configuration and input: one line naming what is wrong and what is allowed, exit code 2,
no traceback, and nothing written (no database, no rows, no files in the data dir)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from db.migrate import upgrade_to_head
from db.models import Experiment, TimelineEvent
from db.session import session_scope

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHOP = str(EXAMPLES / "shop")
runner = CliRunner()
CREATE = ["experiment", "create", "--repo", SHOP, "--goal", "Users can't find products"]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data dir of the command (the default SQLite database lives there); not created up front."""
    monkeypatch.setenv("VARIANTLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.delenv("VARIANTLAB_DATABASE_URL", raising=False)
    return tmp_path / "data"


def _one_line_refusal(result, expected: str) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not an error escaping the guard
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ") and "Traceback" not in lines[0] and "\x1b" not in lines[0]
    assert expected in lines[0], lines[0]
    return lines[0]


def _written(tmp_path: Path) -> list[Path]:
    return [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "afile"]


# (environment, what the one line must say); each refused by `experiment create` before any write.
BAD_SETTINGS = [
    ({"VARIANTLAB_DATABASE_URL": "garbage"},
     "VARIANTLAB_DATABASE_URL is not a URL SQLAlchemy can parse; use sqlite:///PATH or postgresql+psycopg2://"),
    ({"VARIANTLAB_DATABASE_URL": "mysql://me:s3cret@127.0.0.1/app"},
     "database mysql://me:***@127.0.0.1/app: mysql is not supported; use sqlite:///PATH or postgresql"),
    ({"VARIANTLAB_DATABASE_URL": "postgresql+psycopg://me:s3cret@127.0.0.1:5432/app"},
     "its driver 'psycopg' is not installed (no module 'psycopg'); install it, or use postgresql+psycopg2://"),
    ({"VARIANTLAB_DATABASE_URL": "postgresql+psycopg2://me:s3cret@127.0.0.1:1/app"},
     'database postgresql+psycopg2://me:***@127.0.0.1:1/app: connection to server at "127.0.0.1", port 1 failed'),
    ({"VARIANTLAB_DATABASE_URL": "nosuchdialect://host/db"}, "nosuchdialect is not supported"),
    ({"VARIANTLAB_DATA_DIR": "{tmp}/afile"}, "VARIANTLAB_DATA_DIR: {tmp}/afile is a file; name a folder"),
    ({"VARIANTLAB_DATA_DIR": "{tmp}/afile/data"}, "VARIANTLAB_DATA_DIR: {tmp}/afile/data is inside {tmp}/afile, a file"),
    ({"DAGSTER_HOME": "{tmp}/afile"}, "DAGSTER_HOME: {tmp}/afile is a file; name a folder"),
    ({"VARIANTLAB_DAGSTER_HOME": "{tmp}/afile", "DAGSTER_HOME": ""}, "VARIANTLAB_DAGSTER_HOME: {tmp}/afile is a file"),
    ({"VARIANTLAB_BROWSER__CONCURRENCY": "abc"},
     ("VARIANTLAB_BROWSER__CONCURRENCY: Input should be a valid integer, unable to parse string as an integer "
      "(got 'abc')")),
    ({"VARIANTLAB_CODE__MODELS": "offline-recipe, claude"},
     'VARIANTLAB_CODE__MODELS: not valid JSON (Expecting value); give JSON like ["offline-recipe"]'),
    ({"VARIANTLAB_CODE__TEMPERATURES": "[0.0, hot]"}, "VARIANTLAB_CODE__TEMPERATURES: not valid JSON"),
    ({"VARIANTLAB_LLM__PROVIDER": "gemini"},
     "VARIANTLAB_LLM__PROVIDER: Input should be 'offline', 'anthropic' or 'openai' (got 'gemini')"),
    ({"VARIANTLAB_SANDBOX__PROVIDER": "docker"}, "VARIANTLAB_SANDBOX__PROVIDER: Input should be 'local' or 'e2b'"),
    ({"VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB": "-5"},
     "VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB: Input should be greater than 0 (got '-5')"),
    ({"VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB": "0"},
     "VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB: Input should be greater than 0 (got '0')"),
    ({"VARIANTLAB_EXPERIMENT__NUM_SUGGESTIONS": "many"}, "VARIANTLAB_EXPERIMENT__NUM_SUGGESTIONS: Input should be"),
]


@pytest.mark.parametrize(("env", "expected"), BAD_SETTINGS, ids=[next(iter(e)) + "=" + next(iter(e.values()))[:24]
                                                                 for e, _ in BAD_SETTINGS])
def test_bad_setting_is_one_line_and_writes_nothing(data_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch, env: dict, expected: str):
    (tmp_path / "afile").write_text("not a folder")
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    line = _one_line_refusal(runner.invoke(app, CREATE), expected.format(tmp=tmp_path))
    assert "s3cret" not in line
    assert _written(tmp_path) == []


def test_a_database_that_does_not_exist_is_one_line(data_dir: Path, tmp_path: Path, pg_server: str,
                                                    monkeypatch: pytest.MonkeyPatch):
    from sqlalchemy.engine import make_url

    url = make_url(pg_server).set(database="variantlab_no_such_database")
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", url.render_as_string(hide_password=False))
    _one_line_refusal(runner.invoke(app, CREATE), 'database "variantlab_no_such_database" does not exist')
    assert _written(tmp_path) == []


@pytest.mark.parametrize("command", [["experiment", "list"], ["report", "exp_0000000000000000"],
                                     ["run", "exp_0000000000000000", "--stage", "variant_metrics"],
                                     ["analyze", "--input", "stats.csv"]])
def test_every_command_refuses_bad_settings_the_same_way(data_dir: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch, command: list[str]):
    monkeypatch.setenv("VARIANTLAB_BROWSER__CONCURRENCY", "abc")
    _one_line_refusal(runner.invoke(app, command), "VARIANTLAB_BROWSER__CONCURRENCY: Input should be a valid integer")
    assert _written(tmp_path) == []


@pytest.fixture
def app_db(data_dir: Path) -> Path:
    """A database at head with no experiments: bad input must leave it so."""
    upgrade_to_head()
    return data_dir / "variantlab.db"


def _rows() -> int:
    with session_scope() as session:
        return sum(session.scalar(select(func.count()).select_from(model)) for model in (Experiment, TimelineEvent))


@pytest.mark.parametrize(("args", "expected"), [
    (["--repo", "https://example.com/" + "a" * 100_000, "--goal", "g"], "--repo is 100020 characters; the limit is 2000"),
    (["--repo", SHOP, "--goal", "find \x1b[31mproducts\x1b[0m"], "--goal contains control characters"),
    (["--repo", SHOP, "--goal", "find\x1b]0;owned\x07 products"], "--goal contains control characters"),
    (["--repo", SHOP, "--goal", "find \x9b31m products"], "--goal contains control characters"),
    (["--repo", SHOP, "--goal", "g", "--suggestions", "0"], "--suggestions must be between 1 and 10, got 0"),
])
def test_bad_experiment_input_is_one_line_and_writes_no_row(app_db: Path, args: list[str], expected: str):
    _one_line_refusal(runner.invoke(app, ["experiment", "create", *args]), expected)
    assert _rows() == 0


def test_a_multi_line_goal_is_still_plain_text(app_db: Path):
    result = runner.invoke(app, ["experiment", "create", "--repo", SHOP, "--goal", "Users can't find\n\tproducts"])
    assert result.exit_code == 0, result.output


def test_report_never_prints_raw_escapes(app_db: Path):
    """A goal stored before control characters were refused (or written by another client) is shown
    escaped, and Rich markup in it is shown as text."""
    with session_scope() as session:
        experiment = Experiment(name="shop\x1b[2J", repo_url=SHOP, goal="find \x1b[31mred[/] [bold]products")
        session.add(experiment)
        session.flush()
        experiment_id = experiment.id
    for command in (["report", experiment_id], ["report", experiment_id, "--json"], ["experiment", "list"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output
    text = runner.invoke(app, ["report", experiment_id]).output
    assert "goal: find \\x1b[31mred[/] [bold]products" in text


def test_analyze_shows_names_from_the_csv_as_text(data_dir: Path, tmp_path: Path):
    stats = tmp_path / "stats.csv"
    stats.write_text("variant,metric,type,n,sum,sum_squares\n"
                     "control,\x1b[31msuccess,binomial,100,40,40\n[bold]v1\x1b[0m,\x1b[31msuccess,binomial,100,55,55\n")
    result = runner.invoke(app, ["analyze", "--input", str(stats)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "[bold]v1" in result.output


@pytest.mark.parametrize(("make", "expected"), [
    (lambda tmp: tmp.mkdir(exist_ok=True) or tmp, "Is a directory; give a CSV file"),
    (lambda tmp: tmp / "missing.csv", "input file not found"),
])
def test_analyze_input_that_is_not_a_file(data_dir: Path, tmp_path: Path, make, expected: str):  # type: ignore[no-untyped-def]
    target = make(tmp_path / "stats")
    _one_line_refusal(runner.invoke(app, ["analyze", "--input", str(target)]), expected)


def test_the_installed_command_prints_one_line_on_stderr(tmp_path: Path):
    """Through the real entry point (no test runner in between): no Rich traceback, just the line."""
    env = {**os.environ, "VARIANTLAB_DATA_DIR": str(tmp_path / "data"), "VARIANTLAB_BROWSER__CONCURRENCY": "abc"}
    done = subprocess.run([sys.executable, "-m", "cli.main", "experiment", "list"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        ("error: VARIANTLAB_BROWSER__CONCURRENCY: Input should be a valid integer, unable to parse string as an "
         "integer (got 'abc')")]
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(("args", "expected"), [
    (["experiment", "create", "--repo", SHOP, "--goal", "g", "--suggestions", "abc"],
     ("error: Invalid value for '--suggestions': Input should be a valid integer, unable to parse string as an "
      "integer (see variantlab experiment create --help)")),
    (["run"], "error: Missing argument 'EXP_ID'. (see variantlab run --help)"),
    (["run", "exp_0000000000000000", "--stage"], "error: Option '--stage' requires an argument."),
    (["frobnicate"], "error: No such command 'frobnicate'. (see variantlab --help)"),
    (["experiment", "create", "--goal", "g"], "error: Missing option '--repo'."),
    (["browse", "--url", "http://127.0.0.1:1", "--goal", "g", "--sessions", "many"],
     "error: Invalid value for '--sessions'"),
    (["run", "exp_0000000000000000", "--stage", "everything"], "error: unknown stage 'everything'; choose one of: "),
    (["run", "not-an-id"], "error: 'not-an-id' is not an experiment id"),
])
def test_usage_errors_are_one_line_too(data_dir: Path, tmp_path: Path, args: list[str], expected: str):
    result = runner.invoke(app, args, prog_name="variantlab")
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), result.output
    assert "╭" not in result.output and "Traceback" not in result.output
    assert _written(tmp_path) == []
