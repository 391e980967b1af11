"""Stage 2: the app as it is, measured by the simulated-user panel (seed 000 control variant)."""

import time

import dagster as dg
from sqlalchemy import delete

from agents.browser.analysis import analyze_panel
from agents.browser.panel import run_panel
from agents.browser.shots import prune_session_folders
from agents.sandbox.factory import open_sandbox
from assets.records import (
    approved_flows,
    browser_session_row,
    dagster_run_id,
    experiment_links,
    log_row,
    panel_sessions_per_flow,
    record_panel_stats,
)
from db.base import utcnow
from db.experiment_playground import guard_variants_with_evaluations
from db.experiments import add_event, get_experiment
from db.models import ExecutionLog, Variant
from db.settings import get_settings
from db.stages import tracked_stage
from pipelines.partitions import experiments_partitions
from pipelines.policies import EXTERNAL_SERVICE_RETRY, fail_without_retry
from pipelines.resources import AppDatabase

STAGE = "control_analysis"


@dg.asset(partitions_def=experiments_partitions, deps=["test_flows"], retry_policy=EXTERNAL_SERVICE_RETRY,
          pool="browser", group_name="experiment", kinds={"python"})
def control_analysis(context: dg.AssetExecutionContext, database: AppDatabase) -> dg.MaterializeResult:
    """What works and what does not for users of the unchanged app (the control variant)."""
    experiment_id = context.partition_key
    settings = get_settings()
    started = time.monotonic()
    logs = []
    with fail_without_retry(), database.session() as session:
        # Before tracked_stage: a refusal changes nothing, so it leaves no failed run on the record.
        guard_variants_with_evaluations(session, experiment_id, STAGE)
    with fail_without_retry(), tracked_stage(experiment_id, STAGE, url=database.ready_url(),
                                             dagster_run_id=dagster_run_id(context)):
        with database.session() as session:
            experiment = get_experiment(session, experiment_id)
            repo, ref = experiment.repo_url, experiment.base_branch
            test_session, flows = approved_flows(session, experiment_id)
            test_session_id = test_session.id
            flow_ids = {spec.name: row.id for row, spec in flows}
        artifacts = settings.artifacts_dir / experiment_id / STAGE
        with open_sandbox(repo, ref) as sandbox:
            preview_url = sandbox.start_preview()
            results = run_panel({"control": preview_url}, [spec for _, spec in flows],
                                sessions_per_flow=panel_sessions_per_flow(len(flows)), seed=0,
                                concurrency=settings.browser.concurrency, artifacts_dir=artifacts,
                                on_log=logs.append, headers={"control": sandbox.preview_headers})
            sandbox_id = sandbox.id
        analysis = analyze_panel(results)
        with database.session() as session:
            # Again in the deleting transaction: testers may have evaluated while the panel ran.
            guard_variants_with_evaluations(session, experiment_id, STAGE)
            # Replace the control (and, by cascade, everything measured on it) for this partition. The
            # panel's logs hang off the test session, not the control, so they are replaced explicitly.
            session.execute(delete(Variant).where(Variant.experiment_id == experiment_id, Variant.type == "control"))
            session.execute(delete(ExecutionLog).where(ExecutionLog.experiment_id == experiment_id,
                                                       ExecutionLog.stage == STAGE))
            control = Variant(experiment_id=experiment_id, type="control", key="control", suggestion=None,
                              sandbox_id=sandbox_id, public_url=preview_url, analysis=analysis.model_dump(),
                              deploy_status="ready", deploy_started_at=utcnow(), deploy_completed_at=utcnow())
            session.add(control)
            session.flush()
            for order, result in enumerate(results):
                session.add(browser_session_row(result, experiment_id=experiment_id, variant_id=control.id,
                                                test_session_id=test_session_id, flow_ids=flow_ids,
                                                stage=STAGE, panel_order=order))
            for record in logs:
                session.add(log_row(record, experiment_id=experiment_id, test_session_id=test_session_id,
                                    stage=STAGE, flow_ids=flow_ids))
            get_experiment(session, experiment_id).last_tested_at = utcnow()
            record_panel_stats(session, sessions=len(results), browsers=1, seconds=time.monotonic() - started,
                               stage=STAGE)
            add_event(session, experiment_id, "session_completed", stage=STAGE,
                      test_session_id=test_session_id, title="Control measured", content=analysis.summary,
                      data={"issues": analysis.issues, "insights": analysis.insights})
        # Once the new rows are committed, the replaced sessions' screenshots go too (and any a failed run
        # left). The control's browser_results sessions went by cascade: that stage, which runs next,
        # prunes their folders.
        prune_session_folders(artifacts, {r.id for r in results})
    successes = sum(r.success for r in results)
    return dg.MaterializeResult(metadata={
        **experiment_links(context, database),
        "sessions": len(results),
        "task_success_rate": round(successes / len(results), 3) if results else 0.0,
        "summary": analysis.summary,
        "issues": dg.MetadataValue.json(analysis.issues),
        "artifacts": dg.MetadataValue.path(str(artifacts)),
        "seconds": round(time.monotonic() - started, 2),
    })
