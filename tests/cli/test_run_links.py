"""`variantlab run` runs under the named jobs, tags its run with the experiment, and ends with the run
id and the verdict."""

import re
from pathlib import Path

import dagster as dg
import pytest
from typer.testing import CliRunner

from cli.main import app
from db.migrate import upgrade_to_head
from db.models import Experiment
from db.session import session_scope
from pipelines.instances import get_instance
from pipelines.tags import DASHBOARD_TAG, EXPERIMENT_NAME_TAG
from settings import get_settings
from tests.pipelines.conftest import seed_evaluated_experiment

runner = CliRunner()
RUN_LINE = re.compile(r"^run ([0-9a-f-]{36}): http://127\.0\.0\.1:3000/runs/\1$")


@pytest.fixture
def experiment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    for name, value in {"VARIANTLAB_DATABASE_URL": url, "VARIANTLAB_DATA_DIR": str(tmp_path / "data"),
                        "DAGSTER_HOME": str(tmp_path / "dagster"), "COLUMNS": "300"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    upgrade_to_head(url)
    return seed_evaluated_experiment(url)


def _run(instance: dg.DagsterInstance, line: str) -> dg.DagsterRun:
    match = RUN_LINE.match(line)
    assert match, line
    return instance.get_run_by_id(match[1])


def test_a_run_ends_with_its_id_and_the_verdict(experiment: str):
    result = runner.invoke(app, ["run", experiment, "--stage", "evaluation_metrics"])
    assert result.exit_code == 0, result.output
    *_, dashboard, run_line, verdict = result.output.strip().splitlines()
    assert dashboard == f"dashboard: http://127.0.0.1:8501/comparison?exp={experiment}"
    assert verdict == "verdict: none yet (variant_metrics has not run)"
    run = _run(get_instance(), run_line)
    assert run.job_name == "evaluation_job"
    assert run.tags[EXPERIMENT_NAME_TAG] == "shop" and run.tags["dagster/partition"] == experiment
    assert run.tags[DASHBOARD_TAG] == f"http://127.0.0.1:8501/comparison?exp={experiment}"

    with session_scope() as session:  # the experiment's standing verdict, brackets and all
        session.get(Experiment, experiment).champion_reason = "v1 wins: +20 pp [+5, +35] (Holm p = 0.01)"
    result = runner.invoke(app, ["run", experiment, "--stage", "evaluation_metrics"])
    assert result.output.strip().splitlines()[-1] == "verdict: v1 wins: +20 pp [+5, +35] (Holm p = 0.01)"


def test_a_failed_run_names_its_id_under_the_experiment_job(experiment: str):
    result = runner.invoke(app, ["run", experiment, "--stage", "variant_metrics"])  # no panel results yet
    assert result.exit_code == 1, result.output
    lines = [line.strip() for line in result.output.strip().splitlines()]
    run = _run(get_instance(), lines[-2])  # before the line saying how to re-run, which stays last
    assert run.job_name == "experiment_job" and run.status == dg.DagsterRunStatus.FAILURE
    assert run.tags[EXPERIMENT_NAME_TAG] == "shop"
