"""`variantlab run`: a run that would replace variants testers have evaluated is refused before any stage."""

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.errors import UserError
from cli.main import app
from cli.run_cmd import stages_to_run
from db.migrate import upgrade_to_head
from db.models import Evaluation, Experiment, StageRun, Variant
from db.session import session_scope
from db.stage_names import MAIN_STAGES, Stage
from tests.pipelines.conftest import seed_evaluated_experiment

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


@pytest.fixture
def evaluated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An experiment whose variants (control, v1) a tester has evaluated; its id."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", url)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    upgrade_to_head(url)
    return seed_evaluated_experiment(url)


@pytest.mark.parametrize("stage", [None, "test_flows", "control_analysis", "variant_suggestions",
                                   "variant_implementations"])
def test_a_run_replacing_evaluated_variants_is_refused_up_front(evaluated: str, stage: str | None):
    result = runner.invoke(app, ["run", evaluated, *(["--stage", stage] if stage else [])])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: 1 human evaluation answers exist")
    assert f"re-running {stage or 'test_flows'} would replace the variants" in lines[0]
    assert "--stage browser_results" in lines[0]
    with session_scope() as session:
        assert session.scalars(select(StageRun)).all() == []  # no stage started
        assert session.get(Experiment, evaluated).status == "pending"
        assert sorted(session.scalars(select(Variant.key))) == ["control", "v1"]


def test_stages_that_keep_the_variants_still_run(evaluated: str):
    result = runner.invoke(app, ["run", evaluated, "--stage", "evaluation_metrics"])
    assert result.exit_code == 0, result.output
    with session_scope() as session:
        assert session.scalars(select(StageRun.status)).all() == ["completed"]


def test_a_stage_missing_its_input_fails_once_with_its_reason(evaluated: str):
    with session_scope() as session:  # without the analysed control, variant_suggestions has nothing to go on
        session.query(Evaluation).delete()
        session.query(Variant).delete()
    result = runner.invoke(app, ["run", evaluated, "--stage", "variant_suggestions"])
    assert result.exit_code == 1
    output = " ".join(result.output.split())  # rich wraps lines at the terminal width
    assert "variant_suggestions failed: StageInputMissing: the control has not been analysed" in output
    with session_scope() as session:
        assert session.scalars(select(StageRun.status)).all() == ["failed"]  # not retried


def _git_repo(path: Path, procfile: str, toml: str | None = None) -> Path:
    """A repository whose only app is its Procfile's `web:` line (and, given, its variantlab.toml)."""
    path.mkdir()
    (path / "Procfile").write_text(f"web: {procfile}\n")
    if toml is not None:
        (path / "variantlab.toml").write_text(toml)
    (path / "README.md").write_text("notes\n")
    for argv in (["init", "-q"], ["add", "."], ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "app"]):
        subprocess.run(["git", *argv], cwd=path, check=True)
    return path


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    for name, value in {"VARIANTLAB_DATABASE_URL": url, "VARIANTLAB_DATA_DIR": str(tmp_path / "data"),
                        "DAGSTER_HOME": str(tmp_path / "dagster"), "COLUMNS": "300"}.items():
        monkeypatch.setenv(name, value)
    upgrade_to_head(url)
    return tmp_path


def _failed_lines(output: str, stage: str, experiment_id: str) -> tuple[str, str]:
    """The failure's cause line and its full log; checks the lines around them."""
    assert "Traceback" not in output and "Stack Trace" not in output
    lines = [line.strip() for line in output.strip().splitlines()]
    (cause,) = [line for line in lines if line.startswith(f"✗ {stage} failed: ")]
    (log_line,) = [line for line in lines if line.startswith("full log: ")]
    assert lines[-1] == f"fix the cause, then re-run from there: variantlab run {experiment_id} --stage {stage}"
    return cause.removeprefix(f"✗ {stage} failed: "), Path(log_line.removeprefix("full log: ")).read_text()


@pytest.mark.browser
def test_an_app_that_serves_nothing_fails_once_with_its_cause_and_its_log(fresh: Path):
    """NotAWebApp is a BringupFailed: not retried, one line with the cause, and where the full log is."""
    from db.experiments import create_experiment

    repo = _git_repo(fresh / "repo", "python3 -m http.server $PORT --bind 127.0.0.1")
    with session_scope() as session:
        experiment_id = create_experiment(session, repo=str(repo), goal="find the notes").id
    result = runner.invoke(app, ["run", experiment_id, "--stage", "test_flows"])
    assert result.exit_code == 1, result.output
    cause, log = _failed_lines(result.output, "test_flows", experiment_id)
    assert cause.startswith("NotAWebApp: Nothing to test at http://127.0.0.1:"), cause
    assert cause.endswith("the app serves only a directory listing and shows no form or item to act on.")
    assert "NotAWebApp" in log and "Stack Trace" in log and "STEP_UP_FOR_RETRY" not in log
    with session_scope() as session:
        assert session.scalars(select(StageRun.status)).all() == ["failed"]  # not retried


def test_an_app_that_exits_at_start_fails_once_naming_the_cause(fresh: Path):
    """An app that exits at start exits the same way next time: the stage is not retried, and the line
    says why it failed."""
    from db.experiments import create_experiment

    repo = _git_repo(fresh / "repo", 'python3 -c "import sys; sys.exit(\'cannot bind: configuration missing\')"')
    with session_scope() as session:
        experiment_id = create_experiment(session, repo=str(repo), goal="find the notes").id
    result = runner.invoke(app, ["run", experiment_id, "--stage", "test_flows"])
    assert result.exit_code == 1, result.output
    cause, log = _failed_lines(result.output, "test_flows", experiment_id)
    assert cause.startswith("BringupFailed: start failed: the app exited before answering: cannot bind: "
                            "configuration missing"), cause
    assert "retries" not in cause
    assert "STEP_UP_FOR_RETRY" not in log and log.count("STEP_FAILURE") == 1


def test_a_stage_that_failed_after_its_retries_names_the_cause_not_the_retry_count(fresh: Path):
    """An install the network broke may pass next time: retried, and the line still says why it failed."""
    from db.experiments import create_experiment

    repo = _git_repo(fresh / "repo", "python3 -m http.server $PORT",
                     toml='install = "echo \'npm ERR! code ECONNRESET\' >&2; exit 1"\n')
    with session_scope() as session:
        experiment_id = create_experiment(session, repo=str(repo), goal="find the notes").id
    result = runner.invoke(app, ["run", experiment_id, "--stage", "test_flows"])
    assert result.exit_code == 1, result.output
    cause, log = _failed_lines(result.output, "test_flows", experiment_id)
    assert cause.startswith("SandboxError: install failed (exit 1): npm ERR! code ECONNRESET"), cause
    assert cause.endswith("(still after 2 retries)")
    assert log.count("STEP_UP_FOR_RETRY") == 2 and log.count("STEP_FAILURE") == 1


@pytest.mark.parametrize(("stage", "expected"), [
    (None, list(MAIN_STAGES)),
    ("test_flows", list(MAIN_STAGES)),
    ("browser_results", ["browser_results", "variant_metrics", "evaluation_metrics"]),
    ("evaluation_metrics", ["evaluation_metrics"]),
])
def test_a_stage_runs_with_what_dagster_says_is_downstream_of_it_in_the_run(stage: str | None, expected: list[str]):
    # shipped_change depends on variant_metrics too, but no run ships: only the experiment job's stages.
    assert stages_to_run(stage) == expected
    assert all(isinstance(s, Stage) for s in stages_to_run(stage))


def test_downstream_follows_the_asset_graph_not_the_order_of_a_tuple(monkeypatch: pytest.MonkeyPatch):
    # Were the stages' order ever to disagree with their deps, the deps (Dagster's graph) would win.
    import cli.run_cmd

    monkeypatch.setattr(cli.run_cmd, "MAIN_STAGES", tuple(reversed(MAIN_STAGES)))
    assert stages_to_run("variant_metrics") == ["variant_metrics", "evaluation_metrics"]


def test_an_unknown_stage_is_refused_by_name():
    with pytest.raises(UserError, match="unknown stage 'shipped_change'; choose one of: test_flows, "):
        stages_to_run("shipped_change")
