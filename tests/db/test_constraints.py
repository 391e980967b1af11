"""Round trips and constraints of the data model, on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, StatementError

from db.models import (
    AIModel,
    Arm,
    BrowserSession,
    Experiment,
    Playground,
    Solve,
    SolveRun,
    Suggestion,
    TestFlow,
    TestSession,
    TimelineEvent,
    User,
    Variant,
)
from db.session import session_scope
from ids import ID_PATTERN, PREFIXES, has_prefix, new_id


def _experiment(session) -> Experiment:
    experiment = Experiment(repo_url="https://github.com/acme/shop", goal="Users can't find products")
    session.add(experiment)
    session.flush()
    return experiment


def test_ids_are_prefixed_unguessable_and_partition_safe():
    ids = {new_id("experiment") for _ in range(1000)}
    assert len(ids) == 1000
    for value in ids:
        assert ID_PATTERN.match(value) and value.startswith("exp_")
        assert not set(",| ") & set(value)
    assert has_prefix(new_id("browser_session"), "browser_session") and new_id("browser_session").startswith("a_")
    assert new_id("solve_run").startswith("ca_") and new_id("variant").startswith("var_")
    assert len(set(PREFIXES.values())) == len(PREFIXES)


def test_round_trip_with_json_and_aware_timestamps(db_url: str):
    with session_scope(db_url) as session:
        experiment = _experiment(session)
        variant = Variant(experiment_id=experiment.id, type="control", key="control",
                          analysis={"success": True, "summary": "ok", "insights": ["a"], "issues": []})
        session.add(variant)
        session.flush()
        experiment_id, variant_id = experiment.id, variant.id
    with session_scope(db_url) as session:
        loaded = session.get(Experiment, experiment_id)
        assert loaded.created_at.tzinfo is not None
        assert abs(loaded.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
        assert session.get(Variant, variant_id).analysis["insights"] == ["a"]


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Experiment, {"repo_url": "x", "goal": "g", "status": "done"}),
        (Experiment, {"repo_url": "x", "goal": "g", "workflow_status": "shipped"}),
        (User, {"email": "a@b.c", "role": "owner"}),
    ],
)
def test_status_values_are_constrained(db_url: str, model, fields):
    with pytest.raises(IntegrityError), session_scope(db_url) as session:
        session.add(model(**fields))


def test_variant_type_and_unique_pairs(db_url: str):
    with pytest.raises(IntegrityError), session_scope(db_url) as session:
        experiment = _experiment(session)
        session.add(Variant(experiment_id=experiment.id, type="treatment", key="v1"))
    with pytest.raises(IntegrityError), session_scope(db_url) as session:
        experiment = _experiment(session)
        session.add_all([Suggestion(experiment_id=experiment.id, rank=1, title="a"),
                         Suggestion(experiment_id=experiment.id, rank=1, title="b")])
    with pytest.raises(IntegrityError), session_scope(db_url) as session:
        session.add_all([AIModel(name="a", provider="anthropic", model_id="m"),
                         AIModel(name="b", provider="anthropic", model_id="m")])
    with pytest.raises(IntegrityError), session_scope(db_url) as session:
        playground = Playground(name="p", type="ab_testing")
        session.add(playground)
        session.flush()
        session.add_all([Arm(playground_id=playground.id, model_key="control", max_evaluations=3),
                         Arm(playground_id=playground.id, model_key="control", max_evaluations=3)])


def test_foreign_keys_are_enforced(db_url: str):
    with pytest.raises(IntegrityError), session_scope(db_url) as session:
        session.add(Variant(experiment_id="exp_doesnotexist0000", type="control", key="control"))


def test_naive_timestamps_are_refused(db_url: str):
    with pytest.raises(StatementError), session_scope(db_url) as session:
        session.add(Experiment(repo_url="x", goal="g", started_at=dt.datetime(2026, 1, 1)))


def test_deleting_an_experiment_cascades_to_everything_it_owns(db_url: str):
    with session_scope(db_url) as session:
        experiment = _experiment(session)
        control = Variant(experiment_id=experiment.id, type="control", key="control")
        suggestion = Suggestion(experiment_id=experiment.id, rank=1, title="Add search")
        test_session = TestSession(experiment_id=experiment.id, name="s", prompt="p")
        session.add_all([control, suggestion, test_session])
        session.flush()
        flow = TestFlow(session_id=test_session.id, name="f", description="d", instructions="i", order=1)
        solve = Solve(experiment_id=experiment.id, suggestion_id=suggestion.id, repo_url="x", matrix={"experiments": []})
        session.add_all([flow, solve])
        session.flush()
        run = SolveRun(solve_id=solve.id, experiment_id=experiment.id, model="m", temperature=0.0, max_edits=5,
                       evolution="baseline", suggestion="Add search", implementation_prompt="p")
        session.add(run)
        session.flush()
        solve.champion_run_id = run.id
        experiment.champion_variant_id = control.id
        session.add(BrowserSession(experiment_id=experiment.id, variant_id=control.id, test_session_id=test_session.id,
                                   flow_id=flow.id, browser_task_id="t", task_prompt="p"))
        session.add(TimelineEvent(experiment_id=experiment.id, type="experiment_created", run_id=run.id))
        experiment_id = experiment.id
    with session_scope(db_url) as session:
        session.execute(delete(Experiment).where(Experiment.id == experiment_id))
    with session_scope(db_url) as session:
        for model in (Variant, Suggestion, TestSession, TestFlow, Solve, SolveRun, BrowserSession, TimelineEvent):
            assert session.scalars(select(model)).all() == [], model.__name__
