"""Local mode walks the human flow offline: act as a tester, evaluate, act as an analyst, approve.

The database holds what a full pipeline run leaves and nobody but the pipeline's own admin, which is
where "Act as" used to stop: no tester and no analyst could be reached without a sign-in provider.
"""

from __future__ import annotations

from typing import Any

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db import approvals
from db.experiment_playground import PIPELINE_ADMIN_EMAIL, ensure_experiment_playground
from db.experiments import create_experiment
from db.migrate import upgrade_to_head
from db.models import Evaluation, Experiment, TimelineEvent, User, Variant
from db.session import session_scope
from settings import get_settings
from tests.dashboard.conftest import APP
from tests.dashboard.seed import EXAMPLE_SHOP


@pytest.fixture
def after_a_run(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An experiment as the pipeline leaves it: variants built and measured, a champion, the workflow
    moved to beta by the pipeline, the playground open; the pipeline admin is the only user."""
    upgrade_to_head(sqlite_url)
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    st.cache_data.clear()
    with session_scope(sqlite_url) as s:
        experiment = create_experiment(s, repo=EXAMPLE_SHOP, goal="Users can't find products", name="shop-find")
        s.add(Variant(experiment_id=experiment.id, type="control", key="control", public_url="http://127.0.0.1:9/"))
        champion = Variant(experiment_id=experiment.id, type="experiment", key="v1", suggestion="Add a search box",
                           public_url="http://127.0.0.1:9/v1")
        s.add(champion)
        s.flush()
        approvals.pipeline_advanced(s, experiment, "variant_implementations", "started")
        experiment.champion_variant_id, experiment.champion_reason = champion.id, "v1 raises task success"
        approvals.pipeline_advanced(s, experiment, "variant_metrics", "completed")
        ensure_experiment_playground(s, experiment.id)
        return {"url": sqlite_url, "experiment_id": experiment.id}


def _act_as(at: AppTest, email: str) -> AppTest:
    return next(b for b in at.sidebar.selectbox if b.label == "Act as").set_value(email).run()


def _emails(url: str) -> list[str]:
    with session_scope(url) as s:
        return sorted(s.scalars(select(User.email)))


def test_local_mode_runs_the_human_flow_end_to_end(after_a_run: dict[str, Any]) -> None:
    url, experiment_id = after_a_run["url"], after_a_run["experiment_id"]
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["experiment_id"] = experiment_id
    at.run()
    assert not at.exception
    act_as = next(b for b in at.sidebar.selectbox if b.label == "Act as")
    assert act_as.value == PIPELINE_ADMIN_EMAIL
    assert {"tester@localhost (tester, new)", "analyst@localhost (analyst, new)"} <= set(act_as.options)
    assert _emails(url) == [PIPELINE_ADMIN_EMAIL]  # offered, not created until picked

    _act_as(at, "tester@localhost")
    assert not at.exception
    assert "tester@localhost" in _emails(url)
    at.switch_page("views/evaluate.py").run()
    assert not at.exception and not at.error
    next(r for r in at.radio if r.label == "Did you find what you came to the site for?").set_value("yes")
    at.radio(key="rating").set_value(5)
    next(b for b in at.button if b.label == "Submit evaluation").click().run()
    assert not at.exception
    assert "your evaluation is saved" in at.success[0].value
    with session_scope(url) as s:
        tester = s.scalar(select(User).where(User.email == "tester@localhost"))
        assert tester.role == "tester"
        assert s.scalar(select(Evaluation.rating).where(Evaluation.user_id == tester.id)) == 5

    _act_as(at, "analyst@localhost")
    at.switch_page("views/timeline.py").run()
    assert not at.exception and not at.error
    approve = next(b for b in at.button if b.label == "Approve champion")
    assert not approve.disabled
    approve.click().run()
    assert not at.exception and not at.error
    with session_scope(url) as s:
        experiment = s.get(Experiment, experiment_id)
        assert experiment.workflow_status == "in_review"
        analyst = s.scalar(select(User).where(User.email == "analyst@localhost"))
        assert analyst.role == "analyst" and experiment.approved_by_id == analyst.id
        approved = s.scalar(select(TimelineEvent).where(TimelineEvent.experiment_id == experiment_id,
                                                        TimelineEvent.type == "user_approved"))
        assert approved.author_id == analyst.id
    # The page's own timeline shows who approved, and Approve now says why it is done.
    shown = [m.value for m in at.markdown]
    assert any("**user_approved** Champion approved — _analyst@localhost_" in m for m in shown)
    approve = next(b for b in at.button if b.label == "Approve champion")
    assert approve.disabled and "Already approved" in approve.help


def test_local_people_keep_their_roles_when_picked_again(after_a_run: dict[str, Any]) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    _act_as(at, "analyst@localhost")
    _act_as(at, PIPELINE_ADMIN_EMAIL)
    _act_as(at, "analyst@localhost")
    assert not at.exception
    act_as = next(b for b in at.sidebar.selectbox if b.label == "Act as")
    assert act_as.value == "analyst@localhost"
    assert _emails(after_a_run["url"]).count("analyst@localhost") == 1
    assert any("analyst" in m.value for m in at.sidebar.markdown)
