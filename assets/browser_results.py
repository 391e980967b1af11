"""Stage 5: the same simulated-user panel on the control and every variant, interleaved, in rounds until
the primary metric is decided or the budget is spent."""

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agents.browser.analysis import analyze_panel
from agents.browser.shots import prune_session_folders
from agents.sandbox.base import SandboxError
from agents.sandbox.factory import open_sandbox
from analysis.stopping import StoppingDecision, StoppingRule
from assets.panel_rounds import PanelRounds
from assets.panels import (
    PanelInputs,
    PanelRun,
    add_panel_rows,
    artifacts_dir,
    read_panel_inputs,
    run_stage_panel,
)
from assets.records import StageInputMissing
from assets.stage_runner import Metadata, StageCall, run_stage, stage_asset
from assets.variant_metrics import SECONDARY_METRICS
from db.base import utcnow
from db.experiments import add_event, get_experiment
from db.models import BrowserSession, ExecutionLog, Variant
from db.panel_stats import PRIMARY_METRIC
from db.stage_names import Stage
from pipelines.policies import EXTERNAL_SERVICE_RETRY
from pipelines.resources import AppDatabase, AppSettings
from settings import Settings

STAGE = Stage.BROWSER_RESULTS


@dataclass(frozen=True)
class _Arm:
    """A variant to deploy and measure (the control is one)."""

    variant_id: str
    key: str
    kind: str
    patch: str | None


@dataclass(frozen=True)
class _Inputs:
    panel: PanelInputs
    arms: list[_Arm]


@dataclass(frozen=True)
class Deploy:
    """How a variant's preview came up for the panel: ready at `url`, or an error with its logs."""

    status: str  # a variants.deploy_status: "ready" or "error"
    started: dt.datetime
    url: str | None = None
    sandbox_id: str | None = None
    logs: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # what the preview's requests need


@dataclass(frozen=True)
class _Measured:
    panel: PanelRun
    deploys: dict[str, Deploy]  # by variant id
    stopped: StoppingDecision
    artifacts: Path  # where the panel filed its screenshots

    @property
    def ready(self) -> int:
        return sum(d.status == "ready" for d in self.deploys.values())


@stage_asset(STAGE, deps=[Stage.VARIANT_IMPLEMENTATIONS], retry_policy=EXTERNAL_SERVICE_RETRY, pool="browser")
def browser_results(context: dg.AssetExecutionContext, database: AppDatabase,
                    settings: AppSettings) -> dg.MaterializeResult:
    """How simulated users fare on every variant, measured side by side with the control."""
    # Re-measuring leaves the variants as they are, so human evaluations do not stand in its way.
    return run_stage(context, database, STAGE, read=_read, settings=settings, work=_measure,
                     write=_write, after_commit=_prune)


def _read(session: Session, call: StageCall) -> _Inputs:
    panel = read_panel_inputs(session, call.experiment_id)
    arms = [_Arm(v.id, v.key, v.type, v.patch) for v in session.scalars(
        select(Variant).where(Variant.experiment_id == call.experiment_id).order_by(Variant.type, Variant.key))]
    if not any(arm.kind == "control" for arm in arms):
        raise StageInputMissing("no control variant; materialise control_analysis first")
    return _Inputs(panel, arms)


def _deploy(stack: ExitStack, inputs: PanelInputs, arm: _Arm, settings: Settings) -> Deploy:
    started = utcnow()
    try:
        sandbox = stack.enter_context(open_sandbox(inputs.repo, inputs.ref, patch=arm.patch, sandbox=settings.sandbox,
                                                   data_dir=settings.resolved_data_dir))
        url = sandbox.start_preview()
        return Deploy("ready", started, url=url, sandbox_id=sandbox.id, headers=sandbox.preview_headers)
    except SandboxError as exc:
        return Deploy("error", started, logs=str(exc))


def _measure(inputs: _Inputs, call: StageCall) -> _Measured:
    settings = call.settings
    browser = settings.browser
    with ExitStack() as stack:
        deploys = {arm.variant_id: _deploy(stack, inputs.panel, arm, settings) for arm in inputs.arms}
        ready = {arm.key: deploys[arm.variant_id] for arm in inputs.arms if deploys[arm.variant_id].status == "ready"}
        # The rule corrects over the metrics stage's decision family, so what stops the panel as
        # decided is what that stage then decides on.
        rule = StoppingRule(PRIMARY_METRIC, browser.max_sessions_per_variant, browser.panel_time_budget_s,
                            SECONDARY_METRICS)
        rounds = PanelRounds(rule, arms=len(ready), flows=len(inputs.panel.flows),
                             round_size=browser.round_sessions_per_variant, stage=call.handle)
        panel = run_stage_panel(call, inputs.panel, {key: d.url for key, d in ready.items() if d.url},
                                seed=1, headers={key: d.headers for key, d in ready.items()}, settings=settings,
                                next_round=rounds)
        return _Measured(panel, deploys, rounds.stopped, artifacts_dir(call, settings))


def _write(session: Session, inputs: _Inputs, measured: _Measured, call: StageCall) -> Metadata:
    # Replace this stage's sessions and logs for the partition (re-materialising is safe).
    session.execute(delete(BrowserSession).where(BrowserSession.experiment_id == call.experiment_id,
                                                 BrowserSession.stage == STAGE))
    session.execute(delete(ExecutionLog).where(ExecutionLog.experiment_id == call.experiment_id,
                                               ExecutionLog.stage == STAGE))
    add_panel_rows(session, call, inputs.panel, measured.panel, {arm.key: arm.variant_id for arm in inputs.arms},
                   browsers=measured.ready)
    rates = _record_variants(session, call.experiment_id, inputs.arms, measured)
    stopped = measured.stopped
    experiment = get_experiment(session, call.experiment_id)
    experiment.panel_stop_reason = stopped.reason
    experiment.panel_rounds = stopped.round
    experiment.panel_sessions_per_arm = stopped.sessions_per_arm
    return {
        "variants_measured": measured.ready,
        "deploy_failures": sum(d.status == "error" for d in measured.deploys.values()),
        "sessions": len(measured.panel.results),
        "panel_stop_reason": str(stopped.reason),
        "panel_rounds": stopped.round,
        "sessions_per_arm": stopped.sessions_per_arm,
        "panel_stopping": stopped.explanation,
        "success_rate_by_variant": dg.MetadataValue.json(rates),
        "seconds": round(call.elapsed(), 2),
    }


def _record_variants(session: Session, experiment_id: str, arms: list[_Arm], measured: _Measured) -> dict[str, float]:
    rates: dict[str, float] = {}
    for arm in arms:
        deploy = measured.deploys[arm.variant_id]
        variant = session.get(Variant, arm.variant_id)
        variant.deploy_status = deploy.status
        variant.deploy_started_at = deploy.started
        variant.deploy_completed_at = utcnow()
        variant.deploy_logs = deploy.logs
        variant.public_url = deploy.url or variant.public_url
        variant.sandbox_id = deploy.sandbox_id or variant.sandbox_id
        ok = deploy.status == "ready"
        add_event(session, experiment_id, "deploy_success" if ok else "deploy_failed", stage=STAGE,
                  title=f"{arm.key} {'deployed' if ok else 'failed to deploy'}", content=deploy.logs,
                  status="completed" if ok else "failed", data={"variant": arm.key, "url": deploy.url})
        mine = [r for r in measured.panel.results if r.variant_key == arm.key]
        if mine:
            rates[arm.key] = round(sum(r.success for r in mine) / len(mine), 3)
            # The control too: its summary must agree with the comparison table, which is computed
            # from this panel (control_analysis's own panel informed the suggestions and stays in
            # that stage's event).
            variant.analysis = analyze_panel(mine).model_dump()
    return rates


def _prune(inputs: _Inputs, measured: _Measured, call: StageCall) -> None:
    # Once the new rows are committed, the replaced sessions' screenshots go too (and any a failed run
    # left): a re-materialised stage keeps only the files its rows name.
    prune_session_folders(measured.artifacts, {r.id for r in measured.panel.results})
