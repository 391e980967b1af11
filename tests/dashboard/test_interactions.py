"""Writes through the dashboard: creating experiments, evaluating up to a cap, the approval workflow."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db import approvals
from db.evaluations import create_playground, set_arm_cap
from db.models import AuditLog, EvaluationCounter, Experiment, FeedbackItem, TimelineEvent, User
from db.session import session_scope
from tests.dashboard.seed import EXAMPLE_SHOP


def _by_label(elements, label: str):  # type: ignore[no-untyped-def]
    return next(e for e in elements if e.label == label)


def test_create_experiment_form_refuses_bad_input_then_creates(open_view, seeded) -> None:
    at = open_view("experiments", "analyst")
    _by_label(at.text_input, "Repository").input("ftp://example.com/app")
    _by_label(at.text_area, "Goal").input("Users can't find products")
    _by_label(at.button, "Create experiment").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["--repo scheme 'ftp' is not allowed; use https:// or ssh://"]
    with session_scope(seeded["url"]) as s:
        assert s.scalar(select(func.count()).select_from(Experiment)) == 2

    _by_label(at.text_input, "Repository").input(EXAMPLE_SHOP)
    _by_label(at.button, "Create experiment").click().run()
    assert not at.exception and not at.error
    assert "Created exp_" in at.success[0].value
    with session_scope(seeded["url"]) as s:
        created = s.scalars(select(Experiment).order_by(Experiment.created_at.desc())).first()
        assert created.goal == "Users can't find products"
        assert created.created_by_id == seeded["users"]["analyst"]


def _counter(url: str, playground_id: str, key: str) -> int:
    with session_scope(url) as s:
        return s.scalar(select(EvaluationCounter.current_count).where(
            EvaluationCounter.playground_id == playground_id, EvaluationCounter.model_key == key))


def _answer_and_submit(at) -> None:  # type: ignore[no-untyped-def]
    _by_label(at.radio, "Could you find the product you wanted?").set_value("yes")
    at.radio(key="rating").set_value(4)
    _by_label(at.button, "Submit evaluation").click().run()


def test_tester_submits_until_the_cap_then_is_refused(open_view, seeded) -> None:
    url, pg = seeded["url"], seeded["playground_id"]
    with session_scope(url) as s:
        set_arm_cap(s, pg, seeded["users"]["admin"], "v2", 2)  # tom already used one of the two
        s.add(User(id="usr_thirdtester0000", email="third@example.com", role="tester"))
    assert _counter(url, pg, "v2") == 1

    at = open_view("evaluate", "tester")  # tess has done control and v1: v2 is the only arm left
    assert not at.exception
    _answer_and_submit(at)
    assert not at.exception
    assert "your evaluation is saved" in at.success[0].value
    assert _counter(url, pg, "v2") == 2

    seeded["users"]["third"] = "usr_thirdtester0000"
    at = open_view("evaluate", "third")
    _answer_and_submit(at)  # the third tester gets control and v1 (v2 is full) ...
    _answer_and_submit(at)
    assert _counter(url, pg, "control") == 3 and _counter(url, pg, "v1") == 3
    at.run()
    assert any("reached its evaluation limit" in e.value for e in at.info)
    assert _counter(url, pg, "v2") == 2


def test_required_answer_is_enforced(open_view, seeded) -> None:
    at = open_view("evaluate", "tester")
    at.radio(key="rating").set_value(4)
    _by_label(at.button, "Submit evaluation").click().run()
    assert any("needs an answer" in e.value for e in at.error)
    assert _counter(seeded["url"], seeded["playground_id"], "v2") == 1


def test_analyst_approves_admin_verifies(open_view, seeded) -> None:
    url, exp = seeded["url"], seeded["experiment_id"]
    at = open_view("timeline", "analyst")
    verify = _by_label(at.button, "Verify (admin)")
    assert verify.disabled and "Only an admin verifies" in verify.help
    assert verify.help in [c.value for c in at.caption], "a disabled control says why where it stands"
    _by_label(at.button, "Approve champion").click().run()
    assert not at.exception and not at.error
    at = open_view("timeline", "admin")
    _by_label(at.button, "Verify (admin)").click().run()
    assert not at.exception and not at.error
    with session_scope(url) as s:
        experiment = s.get(Experiment, exp)
        assert experiment.workflow_status == "verified"
        assert experiment.approved_by_id == seeded["users"]["analyst"]
        assert experiment.verified_by_id == seeded["users"]["admin"]
        types = set(s.scalars(select(TimelineEvent.type).where(TimelineEvent.experiment_id == exp)))
        assert {"user_approved", "admin_verified"} <= types
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.resource_id == exp)))
        assert {"workflow.user_approved", "workflow.admin_verified"} <= actions


def test_roles_are_checked_in_the_write_functions(seeded) -> None:
    url, exp, users = seeded["url"], seeded["experiment_id"], seeded["users"]
    with pytest.raises(approvals.PermissionDenied, match="tester"), session_scope(url) as s:
        approvals.approve_champion(s, exp, users["tester"])
    with session_scope(url) as s:
        approvals.approve_champion(s, exp, users["analyst"])
    with pytest.raises(approvals.PermissionDenied, match="admin"), session_scope(url) as s:
        approvals.verify(s, exp, users["analyst"])
    with pytest.raises(approvals.WorkflowError, match="in_review"), session_scope(url) as s:
        approvals.approve_champion(s, exp, users["analyst"])
    with pytest.raises(approvals.PermissionDenied), session_scope(url) as s:
        create_playground(s, experiment_id=exp, name="x", type="tuning", created_by=users["tester"], arms=[],
                          questions=[], restricted_emails=None)


def test_feedback_becomes_a_refinement_request(open_view, seeded) -> None:
    url, exp = seeded["url"], seeded["experiment_id"]
    with session_scope(url) as s:
        approvals.approve_champion(s, exp, seeded["users"]["analyst"])
    at = open_view("timeline", "analyst")
    _by_label(at.text_area, "What should change?").input("Make the search box larger on mobile")
    _by_label(at.button, "Send to code agent").click().run()
    assert not at.exception
    with session_scope(url) as s:
        item = s.scalars(select(FeedbackItem)).one()
        assert item.content == "Make the search box larger on mobile" and item.sent_to_agent_at is not None
        sent = s.scalars(select(TimelineEvent).where(TimelineEvent.type == "feedback_batch_sent")).one()
        assert sent.feedback_id == item.id and sent.data["feedback_ids"] == [item.id]
        assert s.get(Experiment, exp).workflow_status == "beta"  # the approval no longer holds
