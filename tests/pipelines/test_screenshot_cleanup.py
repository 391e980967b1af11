"""Re-materialising browser_results replaces its sessions' screenshots with its rows: no orphaned folders."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from sqlalchemy import select

import assets.browser_results as stage
import assets.panels
from agents.browser.results import SessionResult
from agents.browser.shots import stored_path
from db.models import BrowserSession, TestFlow, TestSession, Variant
from db.session import session_scope
from ids import new_id
from settings import Settings
from tests.pipelines.conftest import Resources, make_experiment

NOW = datetime(2026, 12, 8, tzinfo=UTC)


class _Sandbox:
    def __init__(self) -> None:
        self.id = "sbx_fake"
        self.preview_headers: dict[str, str] = {}

    def start_preview(self) -> str:
        return "http://127.0.0.1:9/"


@contextlib.contextmanager
def _open_sandbox(repo: str, ref: str, patch: str | None = None, **_: Any) -> Iterator[_Sandbox]:
    yield _Sandbox()


def _panel(targets: dict[str, str], flows: list[Any], *, artifacts_dir: Path, settings: Settings,
           next_round: Any = None, **_: Any) -> list[SessionResult]:
    """One session per arm and flow, each with a first-page thumbnail filed under its id, as a real panel's."""
    results = []
    for key in targets:
        for flow in flows:
            result = SessionResult(variant_key=key, flow_name=flow.name, flow_order=flow.order, persona="searcher",
                                   seed=1, task_prompt="p", success=True, n_actions=3, duration_ms=900.0,
                                   started_at=NOW, completed_at=NOW)
            shot = artifacts_dir / result.id / "00-first-page.jpg"
            shot.parent.mkdir(parents=True)
            shot.write_bytes(b"\xff\xd8jpeg")
            recorded = stored_path(shot, settings.artifacts_dir)
            result.action_log = [{"type": "start", "target": "/", "url": "/", "t_ms": 0.0, "shot": recorded}]
            result.screenshots = [recorded]
            results.append(result)
    if next_round is not None:  # the panel asks after every round whether to go on
        assert next_round(list(results)) == 0
    return results


@pytest.fixture
def experiment(app_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(stage, "open_sandbox", _open_sandbox)
    monkeypatch.setattr(assets.panels, "run_panel", _panel)  # both panel stages run it from there
    experiment_id = make_experiment(app_url)
    with session_scope(app_url) as s:
        test_session = TestSession(experiment_id=experiment_id, name="panel", prompt="p", status="ready")
        s.add(test_session)
        s.flush()
        s.add(TestFlow(session_id=test_session.id, name="find", description="", instructions="", order=1,
                       task={"kind": "explore", "params": {}}))
        s.add(Variant(experiment_id=experiment_id, type="control", key="control"))
    return experiment_id


def _materialise(experiment_id: str, resources: Resources) -> set[str]:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    stage.browser_results(dg.build_asset_context(partition_key=experiment_id, instance=instance), **resources)
    with session_scope(resources["database"].url) as s:
        return set(s.scalars(select(BrowserSession.id).where(BrowserSession.experiment_id == experiment_id)))


def test_re_materialising_leaves_only_the_current_sessions_screenshots(experiment: str, app_url: str,
                                                                       app_resources: Resources) -> None:
    artifacts = app_resources["settings"].build().artifacts_dir
    folder = artifacts / experiment / stage.STAGE
    first = _materialise(experiment, app_resources)
    assert {p.name for p in folder.iterdir()} == first and len(first) == 1
    with session_scope(app_url) as s:  # the row names the file the session wrote, by a path under the artifacts dir
        row = s.get(BrowserSession, next(iter(first)))
        assert (artifacts / row.action_log[0]["shot"]).is_file()
    # What a run that failed after its panel leaves (a session never recorded), and a file that is not ours.
    (folder / new_id("browser_session")).mkdir()
    (folder / "README").write_text("not a session")
    second = _materialise(experiment, app_resources)
    assert second.isdisjoint(first)
    assert {p.name for p in folder.iterdir()} == second | {"README"}
