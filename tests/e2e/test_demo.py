"""`variantlab demo` on the bundled apps, with a small panel so it runs in seconds."""

import io

import pytest
from rich.console import Console
from sqlalchemy import select

from cli.demo_cmd import DEMO_EXPERIMENTS, demo
from db.experiments import list_experiments
from db.models import VariantMetric
from db.session import session_scope

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_demo_runs_both_apps_and_explains_the_outcome(tmp_path, monkeypatch):
    monkeypatch.setenv("VARIANTLAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("VARIANTLAB_BROWSER__SESSIONS_PER_FLOW", "1")
    monkeypatch.setenv("VARIANTLAB_BROWSER__MIN_SESSIONS_PER_VARIANT", "1")
    # Rounds of one session per flow, up to 8 per variant: the variant panel still runs until it decides.
    monkeypatch.setenv("VARIANTLAB_BROWSER__ROUND_SESSIONS_PER_VARIANT", "1")
    monkeypatch.setenv("VARIANTLAB_BROWSER__MAX_SESSIONS_PER_VARIANT", "8")
    monkeypatch.setenv("VARIANTLAB_CODE__TEMPERATURES", "[0.0]")
    out = io.StringIO()
    assert demo(console=Console(file=out, width=160)) == 0
    text = out.getvalue()
    with session_scope() as session:
        experiments = list_experiments(session)
        assert sorted(e.name for e in experiments) == sorted(f"demo-{app}" for app, _ in DEMO_EXPERIMENTS)
        assert all(e.status == "completed" and e.champion_reason for e in experiments)
        for experiment in experiments:
            assert experiment.id in text and experiment.champion_reason[:40] in text
            # Why the panel stopped and after how many sessions, stored and stated with the verdict.
            assert experiment.panel_stop_reason in ("decided", "max_sessions", "time_budget")
            assert 1 <= experiment.panel_sessions_per_arm <= 8
            assert f"{experiment.panel_sessions_per_arm} sessions per arm" in experiment.champion_reason
        # Nothing decides the shop on its first few sessions, so it went on for more rounds.
        assert any(e.panel_rounds > 1 for e in experiments)
        # The sign-up form's hidden rules are the demo's clear case: stating them (inline validation)
        # takes task success from none to most. (Eight sessions per arm on always-valid intervals may
        # be too few to name it here; the demo's own budget does.)
        signup = next(e for e in experiments if e.name == "demo-signup")
        best = max(session.scalars(select(VariantMetric.effect_abs).where(
            VariantMetric.experiment_id == signup.id, VariantMetric.metric == "task_success",
            VariantMetric.source == "panel", VariantMetric.effect_abs.is_not(None))))
        assert best >= 0.5, signup.champion_reason
    assert "variantlab dashboard" in text and "dagster dev -w workspace.yaml" in text
