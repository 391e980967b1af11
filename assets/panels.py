"""What the two panel stages (control_analysis, browser_results) read, run and write alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from agents.browser.panel import NextRound, run_panel
from agents.browser.results import LogRecord, SessionResult
from agents.schemas import FlowSpec
from assets.records import (
    approved_flows,
    browser_session_row,
    log_row,
    panel_sessions_per_flow,
    record_panel_stats,
)
from assets.stage_runner import StageCall
from db.base import utcnow
from db.experiments import get_experiment
from settings import Settings


@dataclass(frozen=True)
class PanelInputs:
    """The app and the approved flows of the experiment's latest test session."""

    repo: str
    ref: str | None
    test_session_id: str
    flows: list[FlowSpec]
    flow_ids: dict[str, str]  # flow name → its row


@dataclass(frozen=True)
class PanelRun:
    results: list[SessionResult]
    logs: list[LogRecord] = field(default_factory=list)


def read_panel_inputs(session: Session, experiment_id: str) -> PanelInputs:
    experiment = get_experiment(session, experiment_id)
    test_session, flows = approved_flows(session, experiment_id)
    return PanelInputs(experiment.repo_url, experiment.base_branch, test_session.id, [spec for _, spec in flows],
                       {spec.name: row.id for row, spec in flows})


def artifacts_dir(call: StageCall, settings: Settings) -> Path:
    """Where the stage's panel files its sessions' screenshots."""
    return settings.artifacts_dir / call.experiment_id / call.stage.value


def run_stage_panel(call: StageCall, inputs: PanelInputs, targets: dict[str, str], *, seed: int,
                    headers: dict[str, dict[str, str]], settings: Settings,
                    next_round: NextRound | None = None) -> PanelRun:
    """The simulated users of every approved flow on every target, and what they logged."""
    logs: list[LogRecord] = []
    per_flow = panel_sessions_per_flow(len(inputs.flows), settings.browser)
    results = run_panel(targets, inputs.flows, sessions_per_flow=per_flow, seed=seed,
                        concurrency=settings.browser.concurrency, artifacts_dir=artifacts_dir(call, settings),
                        on_log=logs.append, headers=headers, next_round=next_round, settings=settings)
    return PanelRun(results, logs)


def add_panel_rows(session: Session, call: StageCall, inputs: PanelInputs, panel: PanelRun,
                   variant_ids: Mapping[str, str], *, browsers: int) -> None:
    """The panel's sessions (in the order it ran them) and logs, the experiment's last test, and a
    system sample; after the stage has deleted the rows these replace."""
    for order, result in enumerate(panel.results):
        session.add(browser_session_row(result, experiment_id=call.experiment_id,
                                        variant_id=variant_ids[result.variant_key],
                                        test_session_id=inputs.test_session_id, flow_ids=inputs.flow_ids,
                                        stage=call.stage, panel_order=order))
    for record in panel.logs:
        session.add(log_row(record, experiment_id=call.experiment_id, test_session_id=inputs.test_session_id,
                            stage=call.stage, flow_ids=inputs.flow_ids))
    get_experiment(session, call.experiment_id).last_tested_at = utcnow()
    record_panel_stats(session, sessions=len(panel.results), browsers=browsers, seconds=call.elapsed(),
                       stage=call.stage)
