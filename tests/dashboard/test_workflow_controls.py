"""Every workflow control that cannot be used says why, in words that match the workflow's rules."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import workflow
from db import approvals
from db.models import Experiment
from db.session import session_scope
from tests.dashboard.conftest import APP, VIEWS


def _header(status: str, champion: str | None = "v1", reason: str | None = None) -> dict[str, Any]:
    return {"id": "exp_0000000000000000", "workflow_status": status, "champion_key": champion,
            "champion_reason": reason}


@pytest.mark.parametrize(("status", "champion", "enabled", "says"), [
    ("proposed", None, False, "variantlab run exp_0000000000000000"),
    ("implementing", None, False, "being built and measured"),
    ("beta", None, False, "No champion to approve: no variant beat the control"),
    ("beta", "v1", True, "Approve v1"),
    ("in_review", "v1", False, "Already approved"),
    ("verified", "v1", False, "nothing is left to approve"),
])
def test_approve_says_what_stands_in_its_way(status: str, champion: str | None, enabled: bool, says: str) -> None:
    control = workflow.approve(_header(status, champion, reason="no variant beat the control"))
    assert control.enabled is enabled and says in control.why


@pytest.mark.parametrize(("status", "enabled"), [("proposed", False), ("implementing", False), ("beta", False),
                                                 ("in_review", True), ("verified", True)])
def test_a_pull_request_needs_an_approval(status: str, enabled: bool) -> None:
    control = workflow.open_pull_request(_header(status))
    assert control.enabled is enabled
    assert enabled or f"approve it first (the workflow is {status.replace('_', ' ')})" in control.why


@pytest.mark.parametrize(("status", "role", "enabled", "says"), [
    ("in_review", "analyst", False, "Only an admin verifies"),
    ("beta", "admin", False, "An analyst approves the champion first"),
    ("verified", "admin", False, "Already verified"),
    ("in_review", "admin", True, "production-ready"),
])
def test_verify_is_an_admins_step_after_approval(status: str, role: str, enabled: bool, says: str) -> None:
    control = workflow.verify(_header(status), role)
    assert control.enabled is enabled and says in control.why


def test_feedback_needs_a_variant() -> None:
    assert not workflow.send_feedback([]).enabled
    assert "variant_implementations" in workflow.send_feedback([]).why
    assert workflow.send_feedback(["v1"]).enabled


def test_the_controls_agree_with_the_workflows_own_rules(seeded: dict[str, Any]) -> None:
    """Enabled exactly when db/approvals.py would accept the step, in every state of the workflow."""
    url, exp, users = seeded["url"], seeded["experiment_id"], seeded["users"]
    for status in ("proposed", "implementing", "beta", "in_review", "verified"):
        for champion in (True, False):
            with session_scope(url) as s:
                experiment = s.get(Experiment, exp)
                experiment.workflow_status = status
                experiment.champion_variant_id = seeded["variants"]["v1"] if champion else None
            header = _header(status, "v1" if champion else None)
            for control, step, actor in ((workflow.approve(header), approvals.approve_champion, "analyst"),
                                         (workflow.verify(header, "admin"), approvals.verify, "admin")):
                try:
                    with session_scope(url) as s:
                        step(s, exp, users[actor])
                        s.rollback()
                    accepted = True
                except (approvals.WorkflowError, approvals.PermissionDenied):
                    accepted = False
                assert control.enabled is accepted, (status, champion, step.__name__)


def _disabled_buttons_without_a_reason(at: AppTest) -> list[str]:
    captions = [c.value for c in at.caption]
    return [b.label for b in at.button if b.disabled and not (b.help and b.help in captions)]


@pytest.mark.parametrize("role", ["admin", "analyst", "tester"])
def test_every_disabled_button_says_why_beside_it(open_view, seeded, role: str) -> None:
    disabled = 0
    for view in VIEWS:
        at = open_view(view, role)
        assert not at.exception, (view, [e.value for e in at.exception])
        assert _disabled_buttons_without_a_reason(at) == [], view
        disabled += sum(b.disabled for b in at.button)
    # The failed experiment never got as far as variants: nothing on its timeline can be used yet.
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["user_id"], at.session_state["experiment_id"] = seeded["users"][role], seeded["failed_experiment_id"]
    at.run()
    at.switch_page("views/timeline.py").run()
    assert not at.exception and _disabled_buttons_without_a_reason(at) == []
    disabled += sum(b.disabled for b in at.button)
    assert disabled or role == "tester", "the check saw a disabled control"
