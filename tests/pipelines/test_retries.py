"""A rate limit from an outside service becomes a retry of the stage, not a failed experiment; an
error no retry can fix fails the stage at once."""

import dagster as dg
from sqlalchemy import select

import assets.variant_suggestions as suggestions_module
from agents.llm.base import LLMRateLimited
from db.models import Experiment, StageRun, Suggestion, Variant
from db.session import session_scope
from pipelines.definitions import defs
from tests.pipelines.conftest import make_experiment


def test_rate_limited_stage_is_retried_and_succeeds(app_db: str, monkeypatch):
    experiment_id = make_experiment(app_db)
    with session_scope(app_db) as session:
        session.add(Variant(experiment_id=experiment_id, type="control", key="control", analysis={
            "success": False, "summary": "2/8 sessions completed", "insights": [],
            "issues": ["impatient gave up on page 2 of 6 without finding 'Merino Wool Beanie'"]}))
    real = suggestions_module.suggest_changes
    calls = {"n": 0}

    def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise LLMRateLimited("429 Too Many Requests: retry after 1s")
        return real(*args, **kwargs)

    monkeypatch.setattr(suggestions_module, "suggest_changes", flaky)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    result = defs().resolve_implicit_global_asset_job_def().execute_in_process(
        partition_key=experiment_id, instance=instance, raise_on_error=False,
        asset_selection=[dg.AssetKey("variant_suggestions")])
    assert result.success and calls["n"] == 2
    assert any(e.event_type_value == "STEP_RESTARTED" for e in result.all_events)
    with session_scope(app_db) as session:
        statuses = session.scalars(select(StageRun.status).order_by(StageRun.started_at)).all()
        assert statuses == ["failed", "completed"]  # the attempt is on record, the stage succeeded
        # Nothing runs any more and the retry superseded the failure: the experiment is as it was.
        experiment = session.get(Experiment, experiment_id)
        assert (experiment.status, experiment.error_message) == ("pending", None)
        assert len(session.scalars(select(Suggestion)).all()) == 3


def test_missing_upstream_stage_is_not_retried(app_db: str):
    experiment_id = make_experiment(app_db)  # no control: variant_suggestions has nothing to work from
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    result = defs().resolve_implicit_global_asset_job_def().execute_in_process(
        partition_key=experiment_id, instance=instance, raise_on_error=False,
        asset_selection=[dg.AssetKey("variant_suggestions")])
    assert not result.success
    assert not any(e.event_type_value in ("STEP_UP_FOR_RETRY", "STEP_RESTARTED") for e in result.all_events)
    with session_scope(app_db) as session:
        assert session.scalars(select(StageRun.status)).all() == ["failed"]
        experiment = session.get(Experiment, experiment_id)
        assert experiment.status == "failed" and "StageInputMissing" in experiment.error_message
