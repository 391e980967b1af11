"""The experiment's status follows the latest run of each stage: failed while one failed, running while one
runs, completed once variant_metrics completed, else what it was."""

import dagster as dg
import pytest
from sqlalchemy import select

from assets.evaluation_metrics import evaluation_metrics
from assets.variant_metrics import variant_metrics
from assets.variant_suggestions import variant_suggestions
from db.models import BrowserSession, Experiment, Playground, StageRun, Variant
from db.session import session_scope
from db.stages import tracked_stage
from tests.pipelines.conftest import Resources, make_experiment


def _context(experiment_id: str) -> dg.AssetExecutionContext:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    return dg.build_asset_context(partition_key=experiment_id, instance=instance)


def _seed(url: str, experiment_id: str, keys: tuple[str, ...] = ("control", "v1")) -> None:
    """Variants with browser_results sessions (v1 clearly better) and an analysed control."""
    analysis = {"success": False, "summary": "2/8 sessions completed", "insights": [], "issues": []}
    with session_scope(url) as session:
        for key in keys:
            control = key == "control"
            variant = Variant(experiment_id=experiment_id, type="control" if control else "experiment",
                              key=key, analysis=analysis if control else None)
            session.add(variant)
            session.flush()
            for i in range(30):
                session.add(BrowserSession(
                    experiment_id=experiment_id, variant_id=variant.id, browser_task_id=f"{key}-{i}",
                    task_prompt="p", stage="browser_results", success=i % 2 == 0 if control else True,
                    n_actions=6, duration_ms=6000.0, console_errors=0, a11y_violations=0, lcp_ms=300.0,
                    status="completed"))


def _status(url: str, experiment_id: str) -> tuple[str, str | None]:
    with session_scope(url) as session:
        experiment = session.get(Experiment, experiment_id)
        return experiment.status, experiment.error_message


def _fail(url: str, experiment_id: str, stage: str) -> None:
    with pytest.raises(RuntimeError), tracked_stage(experiment_id, stage, url=url):
        raise RuntimeError(f"{stage} broke")


def test_the_evaluation_refresh_leaves_a_failed_experiment_failed(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    _seed(app_url, experiment_id)
    variant_metrics(_context(experiment_id), **app_resources)
    assert _status(app_url, experiment_id) == ("completed", None)
    _fail(app_url, experiment_id, "browser_results")
    failed = ("failed", "browser_results: RuntimeError: browser_results broke")
    assert _status(app_url, experiment_id) == failed
    evaluation_metrics(_context(experiment_id), **app_resources)  # what the schedule runs
    assert _status(app_url, experiment_id) == failed
    # While a stage runs after the failure, the failure still stands; re-running the failed stage clears it.
    with tracked_stage(experiment_id, "evaluation_metrics", url=app_url):
        assert _status(app_url, experiment_id) == failed
    with tracked_stage(experiment_id, "browser_results", url=app_url):
        assert _status(app_url, experiment_id) == ("running", None)
    assert _status(app_url, experiment_id) == ("completed", None)


def test_one_middle_stage_alone_does_not_leave_the_experiment_running(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    _seed(app_url, experiment_id)
    variant_suggestions(_context(experiment_id), **app_resources)
    assert _status(app_url, experiment_id) == ("pending", None)  # nothing runs, nothing concluded yet
    variant_metrics(_context(experiment_id), **app_resources)
    assert _status(app_url, experiment_id) == ("completed", None)
    # Re-running a middle stage of a completed experiment leaves it completed, not running.
    variant_suggestions(_context(experiment_id), **app_resources)
    assert _status(app_url, experiment_id) == ("completed", None)
    with session_scope(app_url) as session:
        assert "running" not in session.scalars(select(StageRun.status)).all()


def test_a_failed_stage_retried_to_success_is_no_longer_failed(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    _seed(app_url, experiment_id)
    _fail(app_url, experiment_id, "variant_suggestions")
    assert _status(app_url, experiment_id)[0] == "failed"
    variant_suggestions(_context(experiment_id), **app_resources)
    assert _status(app_url, experiment_id) == ("pending", None)


def test_no_variant_built_completes_without_a_playground(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    _seed(app_url, experiment_id, keys=("control",))
    decision = variant_metrics(_context(experiment_id), **app_resources)
    assert decision.metadata["champion_reason"] == "nothing to compare: no suggestions were made, so no variant was built"
    result = evaluation_metrics(_context(experiment_id), **app_resources)
    assert result.metadata["metrics"] == 0 and result.metadata["evaluations"] == 0
    assert _status(app_url, experiment_id) == ("completed", None)
    with session_scope(app_url) as session:
        assert session.scalars(select(Playground)).all() == []
        assert session.scalars(select(StageRun.status).where(StageRun.stage == "evaluation_metrics")).all() \
            == ["completed"]
