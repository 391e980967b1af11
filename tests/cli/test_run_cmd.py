"""`variantlab run`: a run that would replace variants testers have evaluated is refused before any stage."""

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from db.migrate import upgrade_to_head
from db.models import Evaluation, Experiment, StageRun, Variant
from db.session import session_scope
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
