"""Stage 2: the app as it is, measured by the simulated-user panel (the control variant)."""

from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from sqlalchemy import delete
from sqlalchemy.orm import Session

from agents.browser.analysis import analyze_panel
from agents.browser.shots import prune_session_folders
from agents.sandbox.factory import open_sandbox
from agents.schemas import VariantAnalysis
from assets.panels import (
    PanelInputs,
    PanelRun,
    add_panel_rows,
    artifacts_dir,
    read_panel_inputs,
    run_stage_panel,
)
from assets.stage_runner import Metadata, StageCall, run_stage, stage_asset
from db.base import utcnow
from db.experiments import add_event
from db.models import ExecutionLog, Variant
from db.stage_names import Stage
from pipelines.policies import EXTERNAL_SERVICE_RETRY
from pipelines.resources import AppDatabase, AppSettings

STAGE = Stage.CONTROL_ANALYSIS


@dataclass(frozen=True)
class _Control:
    panel: PanelRun
    preview_url: str
    sandbox_id: str
    analysis: VariantAnalysis
    artifacts: Path  # where the panel filed its screenshots


@stage_asset(STAGE, deps=[Stage.TEST_FLOWS], retry_policy=EXTERNAL_SERVICE_RETRY, pool="browser")
def control_analysis(context: dg.AssetExecutionContext, database: AppDatabase,
                     settings: AppSettings) -> dg.MaterializeResult:
    """What works and what does not for users of the unchanged app (the control variant)."""
    return run_stage(context, database, STAGE, read=_read, settings=settings, work=_measure, write=_write,
                     after_commit=_prune)


def _read(session: Session, call: StageCall) -> PanelInputs:
    return read_panel_inputs(session, call.experiment_id)


def _measure(inputs: PanelInputs, call: StageCall) -> _Control:
    settings = call.settings
    with open_sandbox(inputs.repo, inputs.ref, sandbox=settings.sandbox, data_dir=settings.resolved_data_dir) as sandbox:
        preview_url = sandbox.start_preview()
        panel = run_stage_panel(call, inputs, {"control": preview_url}, seed=0,
                                headers={"control": sandbox.preview_headers}, settings=settings)
        sandbox_id = sandbox.id
    return _Control(panel, preview_url, sandbox_id, analyze_panel(panel.results), artifacts_dir(call, settings))


def _write(session: Session, inputs: PanelInputs, measured: _Control, call: StageCall) -> Metadata:
    experiment_id, analysis, results = call.experiment_id, measured.analysis, measured.panel.results
    # Replace the control (and, by cascade, everything measured on it) for this partition. The
    # panel's logs hang off the test session, not the control, so they are replaced explicitly.
    session.execute(delete(Variant).where(Variant.experiment_id == experiment_id, Variant.type == "control"))
    session.execute(delete(ExecutionLog).where(ExecutionLog.experiment_id == experiment_id,
                                               ExecutionLog.stage == STAGE))
    control = Variant(experiment_id=experiment_id, type="control", key="control", suggestion=None,
                      sandbox_id=measured.sandbox_id, public_url=measured.preview_url,
                      analysis=analysis.model_dump(), deploy_status="ready", deploy_started_at=utcnow(),
                      deploy_completed_at=utcnow())
    session.add(control)
    session.flush()
    add_panel_rows(session, call, inputs, measured.panel, {"control": control.id}, browsers=1)
    add_event(session, experiment_id, "session_completed", stage=STAGE, test_session_id=inputs.test_session_id,
              title="Control measured", content=analysis.summary,
              data={"issues": analysis.issues, "insights": analysis.insights})
    return {
        "sessions": len(results),
        "task_success_rate": round(sum(r.success for r in results) / len(results), 3) if results else 0.0,
        "summary": analysis.summary,
        "issues": dg.MetadataValue.json(analysis.issues),
        "artifacts": dg.MetadataValue.path(str(measured.artifacts)),
        "seconds": round(call.elapsed(), 2),
    }


def _prune(inputs: PanelInputs, measured: _Control, call: StageCall) -> None:
    # Once the new rows are committed, the replaced sessions' screenshots go too (and any a failed run
    # left). The control's browser_results sessions went by cascade: that stage, which runs next,
    # prunes their folders.
    prune_session_folders(measured.artifacts, {r.id for r in measured.panel.results})
