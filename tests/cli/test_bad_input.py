"""Malformed configuration and input: one line naming what is wrong and what is allowed, exit code 2,
no traceback, and nothing written (no database, no rows, no files in the data dir)."""

import json
import os
import shutil
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
    # Every number has a range (settings/model.py): zero, negative, not finite and absurdly large are refused.
    ({"VARIANTLAB_BROWSER__CONCURRENCY": "0"},
     "VARIANTLAB_BROWSER__CONCURRENCY: Input should be greater than or equal to 1 (got '0')"),
    ({"VARIANTLAB_BROWSER__CONCURRENCY": "100000"},
     "VARIANTLAB_BROWSER__CONCURRENCY: Input should be less than or equal to 64 (got '100000')"),
    ({"VARIANTLAB_BROWSER__SESSIONS_PER_FLOW": "0"}, "VARIANTLAB_BROWSER__SESSIONS_PER_FLOW: Input should be greater"),
    ({"VARIANTLAB_BROWSER__SESSION_TIMEOUT_S": "-1"},
     "VARIANTLAB_BROWSER__SESSION_TIMEOUT_S: Input should be greater than 0 (got '-1')"),
    ({"VARIANTLAB_SANDBOX__COMMAND_TIMEOUT_S": "inf"},
     "VARIANTLAB_SANDBOX__COMMAND_TIMEOUT_S: Input should be a finite number (got 'inf')"),
    ({"VARIANTLAB_SANDBOX__BRINGUP_TIMEOUT_S": "nan"}, "VARIANTLAB_SANDBOX__BRINGUP_TIMEOUT_S: Input should be a finite"),
    ({"VARIANTLAB_SANDBOX__E2B_LIFETIME_S": "0"}, "VARIANTLAB_SANDBOX__E2B_LIFETIME_S: Input should be greater than 0"),
    ({"VARIANTLAB_LLM__MAX_RETRIES": "-1"},
     "VARIANTLAB_LLM__MAX_RETRIES: Input should be greater than or equal to 0 (got '-1')"),
    ({"VARIANTLAB_CODE__MAX_PARALLEL": "0"}, "VARIANTLAB_CODE__MAX_PARALLEL: Input should be greater than or equal to 1"),
    ({"VARIANTLAB_CODE__TIME_BUDGET_S": "99999999999"},
     "VARIANTLAB_CODE__TIME_BUDGET_S: Input should be less than or equal to 86400 (got '99999999999')"),
    ({"VARIANTLAB_CODE__TEMPERATURES": "[0.5, 7]"},
     "VARIANTLAB_CODE__TEMPERATURES[1]: Input should be less than or equal to 2 (got '7')"),
    ({"VARIANTLAB_CODE__MODELS": "[]"}, "VARIANTLAB_CODE__MODELS: List should have at least 1 item after validation"),
    ({"VARIANTLAB_CODE__STRATEGIES": json.dumps([f"s{i}" for i in range(11)])},
     "VARIANTLAB_CODE__STRATEGIES: List should have at most 10 items after validation, not 11"),
    # Strings are bounded; the refusal counts a long value rather than echoing it.
    ({"VARIANTLAB_LLM__MODEL": "m" * 500},
     "VARIANTLAB_LLM__MODEL: String should have at most 200 characters (got 500 characters)"),
    ({"VARIANTLAB_LLM__MODEL": ""}, "VARIANTLAB_LLM__MODEL: String should have at least 1 character (got 0 characters)"),
    ({"VARIANTLAB_DATABASE_URL": "sqlite:///" + "a" * 3000},
     "VARIANTLAB_DATABASE_URL: String should have at most 2000 characters (got 3010 characters)"),
    ({"VARIANTLAB_GITHUB__TIMEOUT_S": "inf"}, "VARIANTLAB_GITHUB__TIMEOUT_S: Input should be a finite number (got 'inf')"),
    ({"VARIANTLAB_SHIP__AUTHOR_NAME": ""}, "VARIANTLAB_SHIP__AUTHOR_NAME: String should have at least 1 character"),
    # A misspelt setting would leave the default silently in force.
    ({"VARIANTLAB_BROWSER__CONCURENCY": "2"},
     "VARIANTLAB_BROWSER__CONCURENCY: no such setting; the settings here are VARIANTLAB_BROWSER__PROVIDER, "),
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


HEADER = "variant,metric,type,n,sum,sum_squares\n"
# (the file's bytes, what the one line must say): `analyze --input` refuses the file, writes nothing.
BAD_CSV = [
    ("variant,metric,n,sum\ncontrol,s,1,1\n",
     "missing column(s) type, sum_squares in the header row; give a UTF-8 CSV whose header row is variant,metric,"),
    (HEADER + "control,s,binomial,abc,1,1\nv1,s,binomial,10,2,2\n", "row 1: n is not a number: 'abc'"),
    (HEADER + "control,s,binomial,-5,1,1\nv1,s,binomial,10,2,2\n",
     "row 1 (variant 'control', metric 's'): n must be a non-negative integer, got -5"),
    (HEADER + "control,s,mean,10,1,-1\nv1,s,mean,10,2,2\n",
     "row 1 (variant 'control', metric 's'): sum_squares cannot be negative (-1.0)"),
    (HEADER + "control,s,binomial,10,20,20\nv1,s,binomial,10,2,2\n",
     "row 1 (variant 'control', metric 's'): binomial successes must lie in [0, n], got 20.0"),
    (HEADER + "control,s,mean,10,nan,nan\nv1,s,mean,10,2,2\n",
     "row 1 (variant 'control', metric 's'): sum and sum_squares must be finite numbers"),
    (HEADER + "control,s,binomial,10,1,1\nv1,s,binomial,1e26,2,2\n",
     "row 2: n is 100000000000000004764729344; the limit is 1000000000000"),
    (HEADER + "control,s,binomial,10,1,1,oops\nv1,s,binomial,10,2,2\n", "row 1: 7 fields but the header has 6"),
    (HEADER + "control,s,binomial,10,1,1\ncontrol,s,binomial,10,2,2\n", "row 2: duplicate (variant 'control'"),
    (HEADER + "c" * 300 + ",s,binomial,10,1,1\n", "row 1: variant is 300 characters; the limit is 200"),
    ("", "the file is empty; give a UTF-8 CSV whose header row is variant,metric,type,n,sum,sum_squares"),
    (HEADER, "no data rows below the header; give one row per variant and metric"),
    (bytes(range(128, 256)) * 20, "not a readable CSV file ('utf-8' codec can't decode byte 0x80 in position 0"),
    (HEADER + "control," + "s" * 200_000 + ",binomial,10,1,1\n",
     "not a readable CSV file (field larger than field limit (131072)); give a UTF-8 CSV"),
    (HEADER + "".join(f"v{i},s,binomial,10,1,1\n" for i in range(10_001)),
     "more than 10000 data rows; give at most 10000 (one per variant and metric)"),
    (None, "the file is 16777217 bytes; the limit is 16777216"),  # None: a sparse file one byte too large
]


@pytest.mark.parametrize(("content", "expected"), BAD_CSV, ids=[f"{i}-{e[:30]}" for i, (_, e) in enumerate(BAD_CSV)])
def test_bad_csv_is_one_line_and_writes_nothing(data_dir: Path, tmp_path: Path, content: str | bytes | None,
                                                expected: str):
    stats = tmp_path / "input" / "stats.csv"
    stats.parent.mkdir()
    if content is None:
        with stats.open("wb") as handle:
            handle.truncate(16 * 1024 * 1024 + 1)
    else:
        stats.write_bytes(content if isinstance(content, bytes) else content.encode())
    _one_line_refusal(runner.invoke(app, ["analyze", "--input", str(stats)]), f"--input {stats}: {expected}")
    assert not data_dir.exists()


APPS = {"shop": EXAMPLES / "shop", "express": EXAMPLES / "express"}
# (app, variantlab.toml, what the one line must say); the same file is refused by `detect` and by
# `experiment create` on the folder, before a row is written.
BAD_TOML = [
    ("shop", "port = 80\nport = 81\n", "variantlab.toml is not valid TOML: Cannot overwrite a value"),
    ("shop", "start = 'python3 -m http.server\n", "variantlab.toml is not valid TOML: Expected"),
    ("shop", "serve = 'npm start'\n", "variantlab.toml: unknown key 'serve'; allowed: install, build, start, "),
    ("shop", "port = '8080'\n", "variantlab.toml: port must be an integer between 1 and 65535, not str '8080'"),
    ("shop", "port = 0\n", "variantlab.toml: port must be an integer between 1 and 65535, not int 0"),
    ("express", "port = 70000\n", "variantlab.toml: port must be an integer between 1 and 65535, not int 70000"),
    ("shop", "kind = 'php'\n", "variantlab.toml: kind must be one of static, node, python, procfile, custom"),
    ("shop", "setup = [1, 2]\n", "variantlab.toml: setup must be a list of strings (or one string)"),
    ("shop", "static_root = '../..'\n",
     "variantlab.toml: static_root '../..' is outside the app folder; give a path inside it, relative to its root"),
    ("shop", "static_root = 'linked'\n", "variantlab.toml: static_root 'linked' is outside the app folder"),
    ("express", "dependency_dirs = ['/tmp']\n", "variantlab.toml: dependency_dirs '/tmp' is outside the app folder"),
    ("express", "lockfiles = ['package.json', '../../etc/passwd']\n",
     "variantlab.toml: lockfiles '../../etc/passwd' is outside the app folder"),
    ("express", "start = ''\n", ("variantlab.toml: start is empty, so nothing serves this node app; give the command "
                               "that serves it on $PORT, or set static_root to the folder of built files")),
    ("express", "start = '   '\n", "variantlab.toml: start is empty, so nothing serves this node app"),
    ("express", 'start = "node server.js \\u001b[2J"\n',  # a TOML escape: the file itself is plain text
     "variantlab.toml: start contains control characters (such as terminal escape sequences); give plain text"),
    ("express", "env = { 'NODE_ENV=x' = 'production' }\n",
     "variantlab.toml: env name 'NODE_ENV=x' is not a variable name; use letters, digits and '_'"),
    ("express", "test = '" + "a" * 5000 + "'\n", "variantlab.toml: test is 5000 characters; the limit is 4000"),
    ("shop", "# padding\n" * 7000, "variantlab.toml: the file is 70000 bytes; the limit is 65536"),
]


def _app_with(tmp_path: Path, app_name: str, toml: str) -> Path:
    folder = tmp_path / "apps" / app_name
    shutil.copytree(APPS[app_name], folder)
    (folder / "variantlab.toml").write_text(toml)
    (folder / "linked").symlink_to("/")  # a folder in the app that is really the whole machine
    return folder


@pytest.mark.parametrize(("app_name", "toml", "expected"), BAD_TOML,
                         ids=[f"{i}-{t[:24]!r}" for i, (_, t, _) in enumerate(BAD_TOML)])
def test_bad_variantlab_toml_is_refused_by_detect(data_dir: Path, tmp_path: Path, app_name: str, toml: str,
                                                  expected: str):
    folder = _app_with(tmp_path, app_name, toml)
    _one_line_refusal(runner.invoke(app, ["detect", "--repo", str(folder)]), expected)
    assert not data_dir.exists()


@pytest.mark.parametrize(("app_name", "toml", "expected"), BAD_TOML,
                         ids=[f"{i}-{t[:24]!r}" for i, (_, t, _) in enumerate(BAD_TOML)])
def test_bad_variantlab_toml_creates_no_experiment(app_db: Path, tmp_path: Path, app_name: str, toml: str,
                                                   expected: str):
    folder = _app_with(tmp_path, app_name, toml)
    _one_line_refusal(runner.invoke(app, ["experiment", "create", "--repo", str(folder), "--goal", "g"]), expected)
    assert _rows() == 0


def test_detect_shows_text_from_the_repo_escaped(data_dir: Path, tmp_path: Path):
    """A Procfile is the repo's own text: its start command is printed with the escape sequence
    visible, not acted on by the terminal."""
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "Procfile").write_text("web: python3 -m http.server $PORT \x1b[2J\x1b]0;owned\x07\n")
    result = runner.invoke(app, ["detect", "--repo", str(folder)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "start  python3 -m http.server $PORT \\x1b[2J\\x1b]0;owned\\x07" in result.output


def test_report_shows_text_from_repos_and_pages_escaped(app_db: Path):
    """The bring-up plan (from the repo) and an error (from a sandbox or a page) are shown escaped."""
    with session_scope() as session:
        experiment = Experiment(name="shop", repo_url=SHOP, goal="find products", status="failed",
                                bringup_plan={"kind": "procfile", "start": "serve \x1b[2J[bold]now"},
                                error_message="page said \x1b]0;owned\x07 [red]boom")
        session.add(experiment)
        session.flush()
        experiment_id = experiment.id
    text = runner.invoke(app, ["report", experiment_id]).output
    assert "\x1b" not in text and "\x07" not in text
    assert "app: procfile: serve \\x1b[2J[bold]now" in text
    assert "error: page said \\x1b]0;owned\\x07 [red]boom" in text


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
