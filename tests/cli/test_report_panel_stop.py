"""`variantlab report` states how the variant panel ended, in JSON and as text."""

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from cli.report_cmd import load_report, print_report
from db.migrate import upgrade_to_head
from db.models import Experiment
from db.session import session_scope
from tests.dashboard.seed import seed


@pytest.fixture
def experiment_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'report.db'}"
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", url)
    upgrade_to_head(url)
    return seed(url)["experiment_id"]


def _stopped(experiment_id: str, reason: str, rounds: int, per_arm: int) -> None:
    with session_scope() as session:
        experiment = session.get(Experiment, experiment_id)
        experiment.panel_stop_reason, experiment.panel_rounds, experiment.panel_sessions_per_arm = reason, rounds, per_arm


def test_json_carries_why_the_panel_stopped(experiment_id: str) -> None:
    _stopped(experiment_id, "max_sessions", 10, 160)
    outcome = CliRunner().invoke(app, ["report", experiment_id, "--json"])
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.output)["panel"] == {"stop_reason": "max_sessions", "rounds": 10, "sessions_per_arm": 160}


def test_text_states_the_stop_and_the_sessions_it_took(experiment_id: str) -> None:
    out = io.StringIO()
    print_report(load_report(experiment_id), Console(file=out, width=220))
    assert "panel:" not in out.getvalue()  # one fixed round: nothing to say
    _stopped(experiment_id, "decided", 4, 64)
    out = io.StringIO()
    print_report(load_report(experiment_id), Console(file=out, width=220))
    assert "panel: the panel decided after 64 sessions per arm (4 rounds)" in out.getvalue()
