"""Human evaluation service on both dialects: assignment, refusals, validation, audit, constraints, stats."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from analysis.bradley_terry import bradley_terry
from analysis.engine import analyze
from analysis.rows import rows_from_records
from db.evaluations import (
    EvaluationRefused,
    QuestionSpec,
    add_question,
    delete_playground,
    evaluation_stats,
    next_arm,
    pairwise_preferences,
    preference_comparisons,
    set_arm_cap,
    submit_evaluation,
    update_playground,
)
from db.models import Arm, AuditLog, Evaluation, EvaluationCounter, Question
from db.session import session_scope
from db.users import PermissionDenied, get_or_create_user
from db.validation import InvalidInput
from ids import new_id
from tests.db.eval_world import World, make_tester, make_world


def submit(world: World, user, key: str, like: str = "yes", rating: int | None = 4, why: str = "") -> str:
    with session_scope(world.url) as s:
        return submit_evaluation(s, world.playground_id, user, key, {world.like: like, world.why: why}, rating)


def counter(world: World, key: str) -> int:
    with session_scope(world.url) as s:
        return s.scalar(select(EvaluationCounter.current_count).where(
            EvaluationCounter.playground_id == world.playground_id, EvaluationCounter.model_key == key))


def refused(world: World, user, key: str | None = None, **kwargs) -> EvaluationRefused:
    with pytest.raises(EvaluationRefused) as info, session_scope(world.url) as s:
        if key is None:
            next_arm(s, world.playground_id, user)
        else:
            submit_evaluation(s, world.playground_id, user, key, kwargs.get("answers", {world.like: "yes"}),
                              kwargs.get("rating"))
    return info.value


def test_assignment_is_random_first_then_the_unseen_arms(db_url: str) -> None:
    world = make_world(db_url, caps={"control": 50, "v1": 50, "v2": 50})
    firsts = set()
    for i in range(12):
        user = make_tester(db_url, f"t{i}@example.com")
        seen: list[str] = []
        for round_ in range(3):
            with session_scope(db_url) as s:
                arm = next_arm(s, world.playground_id, user, random.Random(i * 10 + round_))
                unseen = sorted({"control", "v1", "v2"} - set(seen))
                assert arm.model_key == random.Random(i * 10 + round_).choice(unseen)
            seen.append(arm.model_key)
            submit(world, user, arm.model_key)
        firsts.add(seen[0])
        assert sorted(seen) == ["control", "v1", "v2"]
        assert refused(world, user).kind == "done"
    assert len(firsts) > 1  # the first arm really is drawn at random
    assert [counter(world, k) for k in ("control", "v1", "v2")] == [12, 12, 12]


def test_full_arm_is_skipped_then_playground_refuses(db_url: str) -> None:
    world = make_world(db_url, caps={"control": 1, "v1": 2})
    first, second, third = (make_tester(db_url, f"{n}@example.com") for n in ("a", "b", "c"))
    submit(world, first, "control")
    with session_scope(db_url) as s:
        assert next_arm(s, world.playground_id, second, random.Random(0)).model_key == "v1"
    error = refused(world, second, "control")
    assert error.kind == "full" and "reached its evaluation limit" in error.reason
    submit(world, second, "v1")
    submit(world, third, "v1")
    assert refused(world, third).kind == "full"  # its only unseen arm is full
    assert counter(world, "control") == 1 and counter(world, "v1") == 2


def test_tuning_allows_repeats_until_the_cap(db_url: str) -> None:
    world = make_world(db_url, type_="tuning", caps={"control": 3})
    user = make_tester(db_url, "t@example.com")
    for _ in range(3):
        with session_scope(db_url) as s:
            assert next_arm(s, world.playground_id, user).model_key == "control"
        submit(world, user, "control")
    assert refused(world, user).kind == "full"
    assert refused(world, user, "control").kind == "full"


def test_ab_tester_cannot_evaluate_the_same_arm_twice(db_url: str) -> None:
    world = make_world(db_url)
    user = make_tester(db_url, "t@example.com")
    submit(world, user, "v1")
    assert refused(world, user, "v1").kind == "done"
    assert counter(world, "v1") == 1  # the refused attempt's increment was undone


def test_inactive_and_restricted_playgrounds_refuse(db_url: str) -> None:
    world = make_world(db_url, restricted_emails=["Invited@Example.com"])
    invited, stranger = make_tester(db_url, "invited@example.com"), make_tester(db_url, "stranger@example.com")
    assert refused(world, stranger).kind == "restricted"
    assert refused(world, stranger, "control").kind == "restricted"
    submit(world, invited, "control")
    with session_scope(db_url) as s:
        update_playground(s, world.playground_id, world.admin_id, is_active=False)
    assert refused(world, invited).kind == "inactive"
    assert refused(world, invited, "v1").kind == "inactive"


def test_answers_are_validated_before_anything_is_written(db_url: str) -> None:
    world = make_world(db_url)
    user = make_tester(db_url, "t@example.com")
    cases = [
        {"answers": {world.why: "no opinion"}},  # required select missing
        {"answers": {world.like: "  "}},  # blank counts as missing
        {"answers": {world.like: "maybe"}},  # not an option
        {"answers": {world.like: "yes", "q_unknown": "x"}},
        {"answers": {world.like: "yes"}, "rating": 6},
        {"answers": {world.like: "yes"}, "rating": True},
    ]
    for case in cases:
        assert refused(world, user, "control", **case).kind == "invalid"
    assert refused(world, user, "nope").kind == "invalid"
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Evaluation)) == 0
    assert counter(world, "control") == 0
    session_id = submit(world, user, "control", like="partly", rating=None, why="  ok  ")
    with session_scope(db_url) as s:
        rows = s.scalars(select(Evaluation).where(Evaluation.session_id == session_id)).all()
    by_question = {r.question_id: r for r in rows}
    assert by_question[None].rating is None and by_question[world.like].answer_value == "partly"
    assert by_question[world.why].answer_text == "ok" and len(rows) == 3


def test_non_testers_cannot_evaluate_and_non_owners_cannot_administer(db_url: str) -> None:
    world = make_world(db_url)
    with session_scope(db_url) as s:
        analyst = get_or_create_user(s, "analyst@example.com", "analyst")
        other_admin = get_or_create_user(s, "boss@example.com", "admin")
    with pytest.raises(PermissionDenied), session_scope(db_url) as s:
        next_arm(s, world.playground_id, analyst)
    for actor in (analyst.id, other_admin.id):
        with pytest.raises(PermissionDenied), session_scope(db_url) as s:
            set_arm_cap(s, world.playground_id, actor, "v1", 99)
    with pytest.raises(InvalidInput), session_scope(db_url) as s:
        update_playground(s, world.playground_id, world.admin_id, created_by=analyst.id)
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 1  # only the creation


def test_every_admin_action_is_audited_with_old_and_new_values(db_url: str) -> None:
    world = make_world(db_url)
    with session_scope(db_url) as s:
        update_playground(s, world.playground_id, world.admin_id, ip_address="10.0.0.7",
                          name="Find it", restricted_emails=["B@x.io", "a@x.io"])
        question = add_question(s, world.playground_id, world.admin_id,
                                QuestionSpec("Anything else?", "input_string", required=False), ip_address="::1")
        set_arm_cap(s, world.playground_id, world.admin_id, "v1", 3)
    with session_scope(db_url) as s:
        delete_playground(s, world.playground_id, world.admin_id)
    with session_scope(db_url) as s:
        rows = {r.action: r for r in s.scalars(select(AuditLog))}
    assert set(rows) == {"playground.create", "playground.update", "question.create", "arm.set_cap",
                         "playground.delete"}
    assert rows["playground.create"].old_values is None
    assert [a["model_key"] for a in rows["playground.create"].new_values["arms"]] == ["control", "v1"]
    update = rows["playground.update"]
    assert update.old_values == {"name": "Find products", "restricted_emails": None}
    assert update.new_values == {"name": "Find it", "restricted_emails": ["a@x.io", "b@x.io"]}
    assert update.ip_address == "10.0.0.7" and update.user_id == world.admin_id
    assert rows["question.create"].resource_id == question.id and question.order_index == 2
    assert rows["question.create"].ip_address == "::1"
    assert rows["arm.set_cap"].old_values["max_evaluations"] == 10
    assert rows["arm.set_cap"].new_values["max_evaluations"] == 3
    deleted = rows["playground.delete"]
    assert deleted.new_values is None and deleted.old_values["name"] == "Find it"
    assert len(deleted.old_values["questions"]) == 3


def test_constraints_and_cascades(db_url: str) -> None:
    world = make_world(db_url)
    user = make_tester(db_url, "t@example.com")
    with pytest.raises(IntegrityError), session_scope(db_url) as s:
        s.add(Arm(playground_id=world.playground_id, model_key="v1", max_evaluations=1))
        s.flush()
    with pytest.raises(IntegrityError), session_scope(db_url) as s:
        s.add(Evaluation(playground_id=world.playground_id, user_id=user.id, model_key="v1", rating=6,
                         session_id=new_id("evaluation_session")))
        s.flush()
    with pytest.raises(IntegrityError), session_scope(db_url) as s:
        s.add(Evaluation(playground_id=world.playground_id, user_id=user.id, model_key="v1", rating=0,
                         session_id=new_id("evaluation_session")))
        s.flush()
    submit(world, user, "control", why="nice")
    with session_scope(db_url) as s:
        delete_playground(s, world.playground_id, world.admin_id)
    with session_scope(db_url) as s:
        for model in (Arm, EvaluationCounter, Question, Evaluation):
            assert s.scalar(select(func.count()).select_from(model)) == 0, model.__tablename__
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 2  # the record survives the deletion


def _seed_small(world: World) -> None:
    """control: ratings 5, 3 (yes, no); v1: ratings 2, 3, 4 (no, no, partly); two open answers."""
    a, b, c = (make_tester(world.url, f"{n}@example.com") for n in "abc")
    submit(world, a, "control", like="yes", rating=5, why="found it")
    submit(world, a, "v1", like="no", rating=2)
    submit(world, b, "control", like="no", rating=3)
    submit(world, b, "v1", like="no", rating=3, why="slow")
    submit(world, c, "v1", like="partly", rating=4)


def test_sufficient_statistics_and_preferences(db_url: str) -> None:
    world = make_world(db_url)
    _seed_small(world)
    with session_scope(db_url) as s:
        stats = {(r["variant"], r["metric"]): r for r in evaluation_stats(s, world.playground_id)}
        prefs = pairwise_preferences(s, world.playground_id)
    rating = stats[("control", "rating")]
    assert (rating["n"], rating["sum"], rating["sum_squares"]) == (2, 8.0, 34.0)
    rating = stats[("v1", "rating")]
    assert (rating["n"], rating["sum"], rating["sum_squares"]) == (3, 9.0, 29.0)
    no = stats[("v1", f"q:{world.like}=no")]
    assert (no["type"], no["n"], no["sum"], no["sum_squares"]) == ("binomial", 3, 2.0, 2.0)
    assert stats[("control", f"q:{world.like}=partly")]["sum"] == 0.0  # unchosen options still appear
    assert len(stats) == 2 * (1 + 3)
    # a: control 5 > v1 2; b: 3 == 3 is a tie; c rated one arm only
    assert prefs == [("control", "v1", 1.5), ("v1", "control", 0.5)]
    assert sorted(preference_comparisons(prefs)) == [("control", "v1", 0.5), ("control", "v1", 1.0)]
    report = analyze(rows_from_records(stats.values()), baseline="control")
    assert report.baseline == "control" and len(report.results) == 4
    assert bradley_terry(preference_comparisons(prefs), n_bootstrap=50).arms[0].arm == "control"


def test_metrics_views(db_url: str) -> None:
    world = make_world(db_url)
    _seed_small(world)
    with session_scope(db_url) as s:
        metrics = s.execute(text("SELECT total_testers, total_evaluations, total_answers, avg_rating "
                                 "FROM playground_metrics WHERE id = :p"), {"p": world.playground_id}).one()
        questions = s.execute(text("SELECT model_key, answer_value, response_count, percentage FROM question_metrics "
                                   "WHERE question_id = :q ORDER BY model_key, answer_value"), {"q": world.like}).all()
        open_ = s.execute(text("SELECT model_key, answer_text FROM open_responses WHERE playground_id = :p "
                               "ORDER BY answer_text"), {"p": world.playground_id}).all()
    # 5 sessions: each a select answer, plus two open answers (the rating-carrying anchor rows don't count)
    assert (metrics[0], metrics[1], metrics[2]) == (3, 5, 7)
    assert float(metrics[3]) == pytest.approx(17 / 5)
    assert [(k, v, n, float(p)) for k, v, n, p in questions] == [
        ("control", "no", 1, 50.0), ("control", "yes", 1, 50.0), ("v1", "no", 2, 66.67), ("v1", "partly", 1, 33.33)]
    assert [tuple(r) for r in open_] == [("control", "found it"), ("v1", "slow")]
