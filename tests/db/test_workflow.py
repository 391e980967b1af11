"""The approval workflow as the pipeline moves it: a completed run makes the champion approvable."""

from pathlib import Path

import pytest
from sqlalchemy import select

from db.approvals import approve_champion
from db.experiments import create_experiment
from db.migrate import upgrade_to_head
from db.models import AuditLog, Experiment, TimelineEvent, Variant
from db.session import session_scope
from db.stages import tracked_stage
from db.users import get_or_create_user

APP = Path(__file__).resolve().parents[2] / "examples" / "shop"


@pytest.fixture
def experiment(sqlite_url: str) -> str:
    upgrade_to_head(sqlite_url)
    with session_scope(sqlite_url) as s:
        return create_experiment(s, repo=str(APP), goal="Users can't find products easily").id


def _run(url: str, experiment_id: str, *stages: str) -> None:
    for stage in stages:
        with tracked_stage(experiment_id, stage, url=url):
            pass


def _workflow(url: str, experiment_id: str) -> str:
    with session_scope(url) as s:
        return s.get(Experiment, experiment_id).workflow_status


def test_a_completed_run_moves_the_experiment_to_where_its_champion_can_be_approved(sqlite_url, experiment):
    _run(sqlite_url, experiment, "test_flows", "control_analysis", "variant_suggestions")
    assert _workflow(sqlite_url, experiment) == "proposed"
    _run(sqlite_url, experiment, "variant_implementations")
    assert _workflow(sqlite_url, experiment) == "implementing"
    _run(sqlite_url, experiment, "browser_results", "variant_metrics")
    assert _workflow(sqlite_url, experiment) == "beta"
    with session_scope(sqlite_url) as s:
        moves = s.scalars(select(TimelineEvent).where(TimelineEvent.experiment_id == experiment,
                                                      TimelineEvent.type == "status_changed",
                                                      TimelineEvent.author_type == "system")).all()
        assert [(e.data["from"], e.data["to"]) for e in moves if e.data.get("workflow")] == [("proposed", "implementing"),
                                                                   ("implementing", "beta")]
        audited = s.scalars(select(AuditLog).where(AuditLog.action == "workflow.pipeline")).all()
        assert len(audited) == 2 and all(row.user_id is None for row in audited)
        # ...and from there an analyst can approve the champion.
        control = Variant(experiment_id=experiment, type="experiment", key="v1")
        s.add(control)
        s.flush()
        s.get(Experiment, experiment).champion_variant_id = control.id
        analyst = get_or_create_user(s, "ana@example.com", role="analyst").id
    with session_scope(sqlite_url) as s:
        approve_champion(s, experiment, analyst)
    assert _workflow(sqlite_url, experiment) == "in_review"


def test_metrics_alone_pass_through_implementing_and_a_failed_stage_moves_nothing(sqlite_url, experiment):
    with pytest.raises(RuntimeError), tracked_stage(experiment, "variant_metrics", url=sqlite_url):
        raise RuntimeError("boom")
    assert _workflow(sqlite_url, experiment) == "proposed"
    _run(sqlite_url, experiment, "variant_metrics")
    assert _workflow(sqlite_url, experiment) == "beta"


def test_a_rebuild_withdraws_beta_but_never_an_approval(sqlite_url, experiment):
    _run(sqlite_url, experiment, "variant_implementations", "variant_metrics")
    _run(sqlite_url, experiment, "variant_implementations")
    assert _workflow(sqlite_url, experiment) == "implementing"  # the variants to approve are being replaced
    with session_scope(sqlite_url) as s:
        s.get(Experiment, experiment).workflow_status = "in_review"
    _run(sqlite_url, experiment, "variant_implementations", "variant_metrics")
    assert _workflow(sqlite_url, experiment) == "in_review"
