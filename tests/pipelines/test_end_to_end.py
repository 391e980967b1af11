"""The whole pipeline on the bundled example apps: wiring on an ephemeral instance, a failed stage
re-materialised to exactly the clean state, and a run killed mid-stage leaving no partial rows."""

import os
import signal
import subprocess
import sys
import time

import dagster as dg
import pytest
from sqlalchemy import select

import assets.variant_implementations as implementations_module
from db.models import BrowserSession, Experiment, StageRun, Variant
from db.report import experiment_report
from db.session import session_scope
from pipelines.definitions import build_defs
from pipelines.jobs import MAIN_STAGES
from tests.pipelines.conftest import Resources, make_experiment
from tests.pipelines.snapshot import pipeline_snapshot

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _materialize(instance: dg.DagsterInstance, experiment_id: str, resources: Resources,
                 stages: tuple[str, ...] = MAIN_STAGES):
    job = build_defs(resources).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(partition_key=experiment_id, instance=instance, raise_on_error=False,
                                  asset_selection=[dg.AssetKey(s) for s in stages])


def _instance(experiment_id: str) -> dg.DagsterInstance:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    return instance


@pytest.mark.parametrize(("app", "goal"), [("shop", "Users can't find products easily"),
                                           ("signup", "Users abandon sign-up because the form is confusing")])
def test_full_pipeline_on_example_app(app_url: str, app_resources: Resources, app: str, goal: str):
    experiment_id = make_experiment(app_url, app, goal)
    result = _materialize(_instance(experiment_id), experiment_id, app_resources)
    assert result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == set(MAIN_STAGES)
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks), [(c.check_name, c.metadata) for c in checks if not c.passed]
    snap = pipeline_snapshot(app_url, experiment_id)
    assert snap["suggestions"] and len(snap["variants"]) == 1 + sum(ok for _, ok in snap["solves"])
    assert all(status == "ready" for *_, status in snap["variants"])
    assert snap["playgrounds"] == 1 and snap["failed_stage_runs"] == 0
    with session_scope(app_url) as s:
        experiment = s.get(Experiment, experiment_id)
        assert experiment.status == "completed" and experiment.champion_reason
        plan = experiment.bringup_plan  # detected (the bundled apps carry no variantlab.toml), with evidence
        assert plan["kind"] == "static" and plan["evidence"] and plan["test"]
        control = s.scalars(select(Variant).where(Variant.experiment_id == experiment_id,
                                                  Variant.type == "control")).one()
        assert control.analysis["summary"] and isinstance(control.analysis["issues"], list)
        # One computation: the control's summary counts the very sessions the comparison table counts.
        measured = s.scalars(select(BrowserSession.success).where(
            BrowserSession.variant_id == control.id, BrowserSession.stage == "browser_results")).all()
        assert f"{sum(measured)}/{len(measured)} sessions" in control.analysis["summary"]
        report = experiment_report(s, experiment_id)
        assert report["build"]["suggestions"] == len(snap["suggestions"])
        assert report["build"]["built"] == len(snap["variants"]) - 1


def test_failed_stage_rematerialises_to_the_clean_state(app_url: str, app_resources: Resources,
                                                        monkeypatch: pytest.MonkeyPatch):
    experiment_id = make_experiment(app_url)
    instance = _instance(experiment_id)
    assert _materialize(instance, experiment_id, app_resources).success
    clean = pipeline_snapshot(app_url, experiment_id)

    persist = implementations_module._persist_solve

    def failing_persist(session, experiment_id, inputs, solved):  # type: ignore[no-untyped-def]
        if solved.suggestion.rank == 2:  # after the first solve's rows are already in the transaction; every retry too
            raise RuntimeError("injected fault while writing solves")
        return persist(session, experiment_id, inputs, solved)

    monkeypatch.setattr(implementations_module, "_persist_solve", failing_persist)
    failed = _materialize(instance, experiment_id, app_resources, ("variant_implementations",))
    assert not failed.success
    after_failure = pipeline_snapshot(app_url, experiment_id)
    # The failed transaction wrote nothing: the previous stage output is intact, nothing half-written.
    assert {k: v for k, v in after_failure.items() if k != "failed_stage_runs"} == \
        {k: v for k, v in clean.items() if k != "failed_stage_runs"}
    with session_scope(app_url) as s:
        experiment = s.get(Experiment, experiment_id)
        assert experiment.status == "failed" and "injected fault" in experiment.error_message

    monkeypatch.setattr(implementations_module, "_persist_solve", persist)
    downstream = MAIN_STAGES[MAIN_STAGES.index("variant_implementations"):]
    assert _materialize(instance, experiment_id, app_resources, downstream).success
    again = pipeline_snapshot(app_url, experiment_id)
    assert again["failed_stage_runs"] >= 1  # the history keeps the failure
    assert {k: v for k, v in again.items() if k != "failed_stage_runs"} == \
        {k: v for k, v in clean.items() if k != "failed_stage_runs"}
    with session_scope(app_url) as s:
        assert s.get(Experiment, experiment_id).status == "completed"


def test_control_analysis_rematerialises_to_the_clean_state(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    instance = _instance(experiment_id)
    assert _materialize(instance, experiment_id, app_resources).success
    clean = pipeline_snapshot(app_url, experiment_id)
    downstream = MAIN_STAGES[MAIN_STAGES.index("control_analysis"):]
    assert _materialize(instance, experiment_id, app_resources, downstream).success
    # Exactly the clean run's rows: the control's panel logs are replaced, not added to.
    assert pipeline_snapshot(app_url, experiment_id) == clean


def test_evaluated_variants_are_never_replaced(app_db: str, app_resources: Resources,
                                               tmp_path, monkeypatch: pytest.MonkeyPatch):
    """The CLI is configured by the environment (app_db's), the materialisations by app_resources: the same
    database and settings."""
    from typer.testing import CliRunner

    from cli.main import app
    from db.evaluations import submit_evaluation
    from db.models import Playground, Question
    from db.users import get_or_create_user

    experiment_id = make_experiment(app_db)
    instance = _instance(experiment_id)
    assert _materialize(instance, experiment_id, app_resources).success
    with session_scope(app_db) as s:
        playground = s.scalars(select(Playground.id).where(Playground.experiment_id == experiment_id)).one()
        found = s.scalars(select(Question.id).where(Question.playground_id == playground,
                                                    Question.question_type == "select")).one()
        submit_evaluation(s, playground, get_or_create_user(s, "tester@example.com"), "v1", {found: "yes"}, 4)
    evaluated = pipeline_snapshot(app_db, experiment_id)

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))  # the CLI's Dagster instance
    refused = CliRunner().invoke(app, ["run", experiment_id, "--stage", "control_analysis"])
    assert refused.exit_code == 2 and "human evaluation answers exist" in refused.output, refused.output
    assert pipeline_snapshot(app_db, experiment_id) == evaluated

    # Materialised from the Dagster UI instead: the stage refuses by itself, at once (not retried).
    for stage in ("test_flows", "control_analysis"):
        result = _materialize(instance, experiment_id, app_resources, MAIN_STAGES[MAIN_STAGES.index(stage):])
        assert not result.success
        assert not any(e.event_type_value == "STEP_RESTARTED" for e in result.all_events)
        assert pipeline_snapshot(app_db, experiment_id) == evaluated
    with session_scope(app_db) as s:
        experiment = s.get(Experiment, experiment_id)
        assert experiment.status == "completed" and experiment.champion_reason


def test_run_killed_mid_stage_leaves_no_partial_rows(app_db: str, app_resources: Resources, tmp_path):
    """The run to kill is the CLI's, in a subprocess configured by the environment (app_db's); the
    in-process materialisations around it get the same database and settings as resources."""
    experiment_id = make_experiment(app_db)
    assert _materialize(_instance(experiment_id), experiment_id, app_resources, MAIN_STAGES[:4]).success
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster")}
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "run", experiment_id, "--stage", "browser_results"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with session_scope(app_db) as s:
                running = s.scalars(select(StageRun).where(StageRun.stage == "browser_results",
                                                           StageRun.status == "running")).first()
            if running is not None:
                break
            assert process.poll() is None, "the run ended before the stage started"
            time.sleep(0.2)
        time.sleep(1.5)  # well inside the panel
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    with session_scope(app_db) as s:
        assert s.scalars(select(BrowserSession).where(BrowserSession.stage == "browser_results")).all() == []
    # The next run supersedes the orphaned "running" row and completes normally.
    assert _materialize(_instance(experiment_id), experiment_id, app_resources, ("browser_results",)).success
    with session_scope(app_db) as s:
        statuses = s.scalars(select(StageRun.status).where(StageRun.stage == "browser_results")
                             .order_by(StageRun.started_at)).all()
        assert statuses == ["failed", "completed"]
        assert s.scalars(select(BrowserSession).where(BrowserSession.stage == "browser_results")).all()
    # The killed run's sandboxes (tmpfs roots it could not unmount) were reaped by the next run.
    assert list((tmp_path / "data" / "sandboxes").iterdir()) == []
