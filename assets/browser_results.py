"""Stage 5: the same simulated-user panel on the control and every variant, interleaved, in rounds until
the primary metric is decided or the budget is spent."""

import time
from contextlib import ExitStack

import dagster as dg
from sqlalchemy import delete, select

from agents.browser.analysis import analyze_panel
from agents.browser.panel import run_panel
from agents.browser.shots import prune_session_folders
from agents.sandbox.base import SandboxError
from agents.sandbox.factory import open_sandbox
from analysis.stopping import StoppingRule
from assets.panel_rounds import PanelRounds
from assets.records import (
    StageInputMissing,
    approved_flows,
    browser_session_row,
    dagster_run_id,
    experiment_links,
    log_row,
    panel_sessions_per_flow,
    record_panel_stats,
)
from assets.variant_metrics import PRIMARY_METRIC, SECONDARY_METRICS
from db.base import utcnow
from db.experiments import add_event, get_experiment
from db.models import BrowserSession, ExecutionLog, Variant
from db.settings import get_settings
from db.stages import tracked_stage
from pipelines.partitions import experiments_partitions
from pipelines.policies import EXTERNAL_SERVICE_RETRY, fail_without_retry
from pipelines.resources import AppDatabase

STAGE = "browser_results"


@dg.asset(partitions_def=experiments_partitions, deps=["variant_implementations"],
          retry_policy=EXTERNAL_SERVICE_RETRY, pool="browser", group_name="experiment", kinds={"python"})
def browser_results(context: dg.AssetExecutionContext, database: AppDatabase) -> dg.MaterializeResult:
    """How simulated users fare on every variant, measured side by side with the control."""
    experiment_id = context.partition_key
    settings = get_settings()
    started = time.monotonic()
    logs = []
    # Re-measuring leaves the variants as they are, so human evaluations do not stand in its way.
    with fail_without_retry(), tracked_stage(experiment_id, STAGE, url=database.ready_url(),
                                             dagster_run_id=dagster_run_id(context)) as stage:
        with database.session() as session:
            experiment = get_experiment(session, experiment_id)
            repo, ref = experiment.repo_url, experiment.base_branch
            test_session, flows = approved_flows(session, experiment_id)
            test_session_id = test_session.id
            flow_ids = {spec.name: row.id for row, spec in flows}
            variants = [(v.id, v.key, v.type, v.patch) for v in session.scalars(
                select(Variant).where(Variant.experiment_id == experiment_id).order_by(Variant.type, Variant.key))]
            if not any(kind == "control" for _, _, kind, _ in variants):
                raise StageInputMissing("no control variant; materialise control_analysis first")
        deploys: dict[str, dict] = {}
        targets: dict[str, str] = {}
        headers: dict[str, dict[str, str]] = {}
        with ExitStack() as stack:
            for variant_id, key, _, patch in variants:
                deploy_started = utcnow()
                try:
                    sandbox = stack.enter_context(open_sandbox(repo, ref, patch=patch))
                    targets[key] = sandbox.start_preview()
                    headers[key] = sandbox.preview_headers
                    deploys[variant_id] = {"status": "ready", "url": targets[key], "sandbox_id": sandbox.id,
                                           "started": deploy_started, "logs": None}
                except SandboxError as exc:
                    deploys[variant_id] = {"status": "error", "url": None, "sandbox_id": None,
                                           "started": deploy_started, "logs": str(exc)}
            browser = settings.browser
            # The rule corrects over the metrics stage's decision family, so what stops the panel as
            # decided is what that stage then decides on.
            rule = StoppingRule(PRIMARY_METRIC, browser.max_sessions_per_variant, browser.panel_time_budget_s,
                                SECONDARY_METRICS)
            rounds = PanelRounds(rule, arms=len(targets), flows=len(flows),
                                 round_size=browser.round_sessions_per_variant, stage=stage)
            results = run_panel(targets, [spec for _, spec in flows],
                                sessions_per_flow=panel_sessions_per_flow(len(flows)), seed=1,
                                concurrency=browser.concurrency,
                                artifacts_dir=settings.artifacts_dir / experiment_id / STAGE, on_log=logs.append,
                                headers=headers, next_round=rounds)
            stopped = rounds.stopped
        by_key = {key: variant_id for variant_id, key, _, _ in variants}
        with database.session() as session:
            # Replace this stage's sessions and logs for the partition (re-materialising is safe).
            session.execute(delete(BrowserSession).where(BrowserSession.experiment_id == experiment_id,
                                                         BrowserSession.stage == STAGE))
            session.execute(delete(ExecutionLog).where(ExecutionLog.experiment_id == experiment_id,
                                                       ExecutionLog.stage == STAGE))
            for order, result in enumerate(results):
                session.add(browser_session_row(result, experiment_id=experiment_id,
                                                variant_id=by_key[result.variant_key], test_session_id=test_session_id,
                                                flow_ids=flow_ids, stage=STAGE, panel_order=order))
            for record in logs:
                session.add(log_row(record, experiment_id=experiment_id, test_session_id=test_session_id,
                                    stage=STAGE, flow_ids=flow_ids))
            analyses = _record_variants(session, experiment_id, variants, deploys, results)
            experiment = get_experiment(session, experiment_id)
            experiment.last_tested_at = utcnow()
            experiment.panel_stop_reason = stopped.reason
            experiment.panel_rounds = stopped.round
            experiment.panel_sessions_per_arm = stopped.sessions_per_arm
            record_panel_stats(session, sessions=len(results), browsers=len(targets),
                               seconds=time.monotonic() - started, stage=STAGE)
        # Once the new rows are committed, the replaced sessions' screenshots go too (and any a failed run
        # left): a re-materialised stage keeps only the files its rows name.
        prune_session_folders(settings.artifacts_dir / experiment_id / STAGE, {r.id for r in results})
    return dg.MaterializeResult(metadata={
        **experiment_links(context, database),
        "variants_measured": len(targets),
        "deploy_failures": sum(d["status"] == "error" for d in deploys.values()),
        "sessions": len(results),
        "panel_stop_reason": str(stopped.reason),
        "panel_rounds": stopped.round,
        "sessions_per_arm": stopped.sessions_per_arm,
        "panel_stopping": stopped.explanation,
        "success_rate_by_variant": dg.MetadataValue.json(analyses),
        "seconds": round(time.monotonic() - started, 2),
    })


def _record_variants(session, experiment_id, variants, deploys, results) -> dict[str, float]:  # type: ignore[no-untyped-def]
    rates: dict[str, float] = {}
    for variant_id, key, kind, _ in variants:
        deploy = deploys[variant_id]
        variant = session.get(Variant, variant_id)
        variant.deploy_status = deploy["status"]
        variant.deploy_started_at = deploy["started"]
        variant.deploy_completed_at = utcnow()
        variant.deploy_logs = deploy["logs"]
        variant.public_url = deploy["url"] or variant.public_url
        variant.sandbox_id = deploy["sandbox_id"] or variant.sandbox_id
        ok = deploy["status"] == "ready"
        add_event(session, experiment_id, "deploy_success" if ok else "deploy_failed", stage=STAGE,
                  title=f"{key} {'deployed' if ok else 'failed to deploy'}", content=deploy["logs"],
                  status="completed" if ok else "failed", data={"variant": key, "url": deploy["url"]})
        mine = [r for r in results if r.variant_key == key]
        if mine:
            rates[key] = round(sum(r.success for r in mine) / len(mine), 3)
            # The control too: its summary must agree with the comparison table, which is computed
            # from this panel (control_analysis's own panel informed the suggestions and stays in
            # that stage's event).
            variant.analysis = analyze_panel(mine).model_dump()
    return rates
