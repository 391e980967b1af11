"""A panel whose only flow opens the start page measured no task: the verdict says so instead of
"every arm came out the same at 100%", which would read as evidence."""

import dagster as dg
import pytest

from agents.browser.results import SessionResult
from agents.schemas import TaskSpec
from assets.records import browser_session_row
from assets.variant_metrics import variant_metrics
from db.models import TestFlow, TestSession, Variant
from db.session import session_scope
from tests.pipelines.conftest import Resources, make_experiment
from tests.pipelines.test_panel_rounds import NOW


@pytest.mark.parametrize("max_pages, nothing", [(1, True), (3, False)])
def test_one_page_exploration_is_a_task_that_measures_nothing(max_pages: int, nothing: bool) -> None:
    assert TaskSpec(kind="explore", params={"max_pages": max_pages}).measures_nothing is nothing
    assert not TaskSpec(kind="find_item", params={"item_name": "x"}).measures_nothing


def _all_succeed(url: str, task: dict) -> str:
    experiment_id = make_experiment(url)
    with session_scope(url) as session:
        test_session = TestSession(experiment_id=experiment_id, name="flows", prompt="g")
        session.add(test_session)
        session.flush()
        session.add(TestFlow(session_id=test_session.id, name="Explore the site", description="d",
                             instructions="i", order=1, task=task))
        ids = {}
        for key in ("control", "v1"):
            variant = Variant(experiment_id=experiment_id, type="control" if key == "control" else "experiment", key=key)
            session.add(variant)
            session.flush()
            ids[key] = variant.id
        for order in range(16):
            for key, variant_id in ids.items():
                r = SessionResult(variant_key=key, flow_name="Explore the site", flow_order=1, persona="scanner",
                                  seed=order, task_prompt="p", success=True, n_actions=0, duration_ms=500.0,
                                  started_at=NOW, completed_at=NOW)
                session.add(browser_session_row(r, experiment_id=experiment_id, variant_id=variant_id,
                                                test_session_id=test_session.id, flow_ids={}, stage="browser_results",
                                                panel_order=order))
    return experiment_id


def test_a_panel_that_only_opened_the_start_page_says_it_measured_no_task(app_url: str, app_resources: Resources):
    experiment_id = _all_succeed(app_url, {"kind": "explore", "params": {"max_pages": 1}})
    reason = variant_metrics(dg.build_asset_context(partition_key=experiment_id), **app_resources).metadata[
        "champion_reason"]
    assert reason.startswith("the panel measured no task") and "came out the same" not in reason, reason


def test_a_panel_with_a_real_task_keeps_its_own_verdict(app_url: str, app_resources: Resources):
    experiment_id = _all_succeed(app_url, {"kind": "explore", "params": {"max_pages": 3}})
    reason = variant_metrics(dg.build_asset_context(partition_key=experiment_id), **app_resources).metadata[
        "champion_reason"]
    assert "every arm came out the same on task_success (100%" in reason and "measured no task" not in reason
