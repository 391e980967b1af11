"""The System view's numbers, from rows shaped like the ones the pipeline writes (both dialects)."""

from __future__ import annotations

from sqlalchemy import delete, select

from assets.records import record_panel_stats
from db.base import utcnow
from db.models import BrowserSession, Experiment, StageRun, SystemStat, TestFlow, TestSession, Variant
from db.queries import system_now
from db.session import session_scope


def _experiment(s) -> tuple[str, str, list[str]]:  # type: ignore[no-untyped-def]
    """An experiment after test_flows (a "ready" session, flows left "pending") with a control."""
    experiment = Experiment(repo_url="https://example.com/r.git", goal="g")
    s.add(experiment)
    s.flush()
    control = Variant(experiment_id=experiment.id, type="control", key="control")
    test_session = TestSession(experiment_id=experiment.id, name="flows", prompt="g", status="ready",
                               total_flows=3)
    s.add_all([control, test_session])
    s.flush()
    flows = [TestFlow(session_id=test_session.id, name=f"flow {i}", description="d", instructions="i",
                      order=i) for i in range(3)]
    s.add_all(flows)
    s.flush()
    return experiment.id, control.id, [f.id for f in flows]


def _sessions(experiment_id: str, variant_id: str, flow_id: str, stage: str, statuses: list[str]) -> list:
    return [BrowserSession(experiment_id=experiment_id, variant_id=variant_id, flow_id=flow_id, stage=stage,
                           browser_task_id=f"{stage}:{flow_id}:{i}", task_prompt="t", seed=i, status=status)
            for i, status in enumerate(statuses)]


def test_system_now_counts_panels_flows_and_sessions(db_url: str) -> None:
    with session_scope(db_url) as s:
        experiment_id, control_id, (ran, only_failed, _never) = _experiment(s)
        s.add_all(_sessions(experiment_id, control_id, ran, "control_analysis",
                            ["completed", "completed", "failed"]))
        s.add_all(_sessions(experiment_id, control_id, only_failed, "control_analysis", ["failed"]))
    with session_scope(db_url) as s:
        assert system_now(s) == {"active_sessions": 0, "active_browsers": 0, "flows_executed": 1,
                                 "sessions_completed": 2}
    with session_scope(db_url) as s:
        s.add_all([StageRun(experiment_id=experiment_id, stage="browser_results", status="running",
                            started_at=utcnow()),
                   StageRun(experiment_id=experiment_id, stage="test_flows", status="running",
                            started_at=utcnow()),
                   StageRun(experiment_id=experiment_id, stage="control_analysis", status="completed",
                            started_at=utcnow())])
    with session_scope(db_url) as s:
        assert system_now(s)["active_sessions"] == 1


def _panel(db_url: str, experiment_id: str, variant_id: str, flow_id: str, stage: str) -> int:
    """What a panel stage does: replace its sessions, add the new ones, sample, in one transaction."""
    with session_scope(db_url) as s:
        s.execute(delete(BrowserSession).where(BrowserSession.experiment_id == experiment_id,
                                               BrowserSession.stage == stage))
        for row in _sessions(experiment_id, variant_id, flow_id, stage, ["completed"] * 16):
            s.add(row)
        record_panel_stats(s, sessions=16, browsers=1, seconds=2.0, stage=stage)
    with session_scope(db_url) as s:
        return s.scalars(select(SystemStat.total_flows_executed).order_by(SystemStat.id.desc())).first()


def test_panel_stats_sample_counts_each_session_once(db_url: str) -> None:
    with session_scope(db_url) as s:
        experiment_id, control_id, flows = _experiment(s)
    assert _panel(db_url, experiment_id, control_id, flows[0], "control_analysis") == 16
    assert _panel(db_url, experiment_id, control_id, flows[0], "browser_results") == 32
    # Re-materialising a stage replaces its sessions: the running total does not grow.
    assert _panel(db_url, experiment_id, control_id, flows[0], "control_analysis") == 32
