"""Stage 2: the app as it is, measured by the simulated-user panel (seed 000 control variant)."""

import time

import dagster as dg
from sqlalchemy import delete

from agents.browser.analysis import analyze_panel
from agents.browser.panel import run_panel
from agents.sandbox.factory import open_sandbox
from assets.records import (
    approved_flows,
    browser_session_row,
    dagster_run_id,
    log_row,
    panel_sessions_per_flow,
    record_panel_stats,
)
from db.base import utcnow
from db.experiments import add_event, get_experiment
from db.models import Variant
from db.settings import get_settings
from db.stages import tracked_stage
from pipelines.partitions import experiments_partitions
from pipelines.policies import EXTERNAL_SERVICE_RETRY
from pipelines.resources import AppDatabase


@dg.asset(partitions_def=experiments_partitions, deps=["test_flows"], retry_policy=EXTERNAL_SERVICE_RETRY,
          pool="browser", group_name="experiment", kinds={"python"})
def control_analysis(context: dg.AssetExecutionContext, database: AppDatabase) -> dg.MaterializeResult:
    """What works and what does not for users of the unchanged app (the control variant)."""
    experiment_id = context.partition_key
    settings = get_settings()
    started = time.monotonic()
    logs = []
    with tracked_stage(experiment_id, "control_analysis", url=database.ready_url(), dagster_run_id=dagster_run_id(context)):
        with database.session() as session:
            experiment = get_experiment(session, experiment_id)
            repo, ref = experiment.repo_url, experiment.base_branch
            test_session, flows = approved_flows(session, experiment_id)
            test_session_id = test_session.id
            flow_ids = {spec.name: row.id for row, spec in flows}
        artifacts = settings.artifacts_dir / experiment_id / "control_analysis"
        with open_sandbox(repo, ref) as sandbox:
            preview_url = sandbox.start_preview()
            results = run_panel({"control": preview_url}, [spec for _, spec in flows],
                                sessions_per_flow=panel_sessions_per_flow(len(flows)), seed=0,
                                concurrency=settings.browser.concurrency, artifacts_dir=artifacts,
                                on_log=logs.append, headers={"control": sandbox.preview_headers})
            sandbox_id = sandbox.id
        analysis = analyze_panel(results)
        with database.session() as session:
            # Replace the control (and, by cascade, everything measured on it) for this partition.
            session.execute(delete(Variant).where(Variant.experiment_id == experiment_id, Variant.type == "control"))
            control = Variant(experiment_id=experiment_id, type="control", key="control", suggestion=None,
                              sandbox_id=sandbox_id, public_url=preview_url, analysis=analysis.model_dump(),
                              deploy_status="ready", deploy_started_at=utcnow(), deploy_completed_at=utcnow())
            session.add(control)
            session.flush()
            for order, result in enumerate(results):
                session.add(browser_session_row(result, experiment_id=experiment_id, variant_id=control.id,
                                                test_session_id=test_session_id, flow_ids=flow_ids,
                                                stage="control_analysis", panel_order=order))
            for record in logs:
                session.add(log_row(record, experiment_id=experiment_id, test_session_id=test_session_id,
                                    stage="control_analysis", flow_ids=flow_ids))
            get_experiment(session, experiment_id).last_tested_at = utcnow()
            record_panel_stats(session, sessions=len(results), browsers=1, seconds=time.monotonic() - started,
                               stage="control_analysis")
            add_event(session, experiment_id, "session_completed", stage="control_analysis",
                      test_session_id=test_session_id, title="Control measured", content=analysis.summary,
                      data={"issues": analysis.issues, "insights": analysis.insights})
    successes = sum(r.success for r in results)
    return dg.MaterializeResult(metadata={
        "sessions": len(results),
        "task_success_rate": round(successes / len(results), 3) if results else 0.0,
        "summary": analysis.summary,
        "issues": dg.MetadataValue.json(analysis.issues),
        "artifacts": dg.MetadataValue.path(str(artifacts)),
        "seconds": round(time.monotonic() - started, 2),
    })
