"""`variantlab report`: every interval is printed beside the p-value it inverts, in JSON and as text."""

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from cli.report_cmd import load_report, print_report
from db.migrate import upgrade_to_head
from tests.dashboard.seed import seed


@pytest.fixture
def experiment_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'report.db'}"
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", url)
    upgrade_to_head(url)
    return seed(url)["experiment_id"]


def _success(data: dict, key: str) -> dict:
    variant = next(v for v in data["variants"] if v["key"] == key)
    return next(m for m in variant["metrics"] if m["metric"] == "task_success")


def test_json_carries_both_pairs(experiment_id: str) -> None:
    outcome = CliRunner().invoke(app, ["report", experiment_id, "--json"])
    assert outcome.exit_code == 0, outcome.output
    v2 = _success(json.loads(outcome.output), "v2")  # seeded in tests/dashboard/seed.py
    assert (v2["effect_abs"], v2["ci_abs"], v2["p_value"]) == (0.2, [-0.05, 0.45], 0.1)
    assert (v2["effect_rel"], v2["ci_rel"], v2["p_value_rel"]) == (0.5, [-0.1, 1.1], 0.12)
    assert v2["p_value_adjusted"] == 0.2


def test_text_table_shows_the_absolute_interval_beside_the_p_values(experiment_id: str) -> None:
    out = io.StringIO()
    print_report(load_report(experiment_id), Console(file=out, width=220))
    header = next(line for line in out.getvalue().splitlines() if "variant" in line)
    cells = [c.strip() for c in header.split("┃")[1:-1]]
    assert cells[4:8] == ["vs control, pp (95% CI)", "p", "adj. p", "relative"]
    row = next(line for line in out.getvalue().splitlines() if line.startswith("│ v2"))
    cells = [c.strip() for c in row.split("│")[1:-1]]
    assert cells[4:8] == ["+20.0 [-5.0, +45.0]", "0.1", "0.2", "+50.0%"]


def test_the_bringup_plan_is_reported_with_its_evidence(experiment_id: str) -> None:
    from agents.sandbox.base import AppConfig, AppKind, Evidence, plan_as_dict
    from db.models import Experiment
    from db.session import session_scope

    plan = AppConfig(kind=AppKind.NODE, install="npm ci", build="npm run build", static_root="dist",
                     package_manager="npm", evidence=(Evidence("install", "npm ci", "package-lock.json → npm"),))
    with session_scope() as session:
        session.get(Experiment, experiment_id).bringup_plan = plan_as_dict(plan)
    data = json.loads(CliRunner().invoke(app, ["report", experiment_id, "--json"]).output)
    assert data["bringup_plan"]["kind"] == "node"
    assert data["bringup_plan"]["evidence"] == [{"key": "install", "value": "npm ci",
                                                 "because": "package-lock.json → npm", "source": "detected"}]
    out = io.StringIO()
    print_report(load_report(experiment_id), Console(file=out, width=200))
    assert "app: node (npm): npm ci → npm run build → serve dist as files" in out.getvalue()
