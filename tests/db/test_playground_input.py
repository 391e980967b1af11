"""The playground service refuses what the dashboard's forms refuse, for callers that skip the forms."""

import pytest
from sqlalchemy import func, select

from db.evaluations import ArmSpec, QuestionSpec, create_playground
from db.migrate import upgrade_to_head
from db.models import Playground
from db.playgrounds import add_question, set_arm_cap, update_playground
from db.session import session_scope
from db.users import get_or_create_user
from db.validation import InvalidInput
from tests.db.eval_world import LIKE, make_world

ARMS = [ArmSpec("control", 5), ArmSpec("v1", 5)]


@pytest.mark.parametrize(("fields", "says"), [
    ({"name": "Find \x1b[31mproducts"}, "name: contains control characters"),
    ({"name": "x" * 300}, "name: 300 characters"),
    ({"name": "   "}, "name: empty"),
    ({"description": "see \x1b]8;;http://evil\x07here"}, "description: contains control characters"),
    ({"support_text": "y" * 10_000}, "support_text: 10000 characters"),
    ({"arms": [ArmSpec("control", 5), ArmSpec("v1", 10**10)]}, "arm v1: max_evaluations"),
    ({"arms": [ArmSpec("control", -1), ArmSpec("v1", 5)]}, "arm control: max_evaluations"),
    ({"questions": [QuestionSpec("Why\x1b[2J?", "input_string")]}, "question_text: contains control characters"),
    ({"questions": [QuestionSpec("  ", "input_string")]}, "question_text: empty"),
])
def test_create_refuses_what_the_form_refuses_and_writes_nothing(sqlite_url: str, fields: dict, says: str) -> None:
    upgrade_to_head(sqlite_url)
    args = {"experiment_id": None, "name": "Find products", "type": "ab_testing", "arms": ARMS,
            "questions": [LIKE], "restricted_emails": None} | fields
    with session_scope(sqlite_url) as s:
        admin = get_or_create_user(s, "admin@example.com", "admin").id
    with pytest.raises(InvalidInput, match=says.replace("[", r"\[")), session_scope(sqlite_url) as s:
        create_playground(s, created_by=admin, **args)
    with session_scope(sqlite_url) as s:
        assert s.scalar(select(func.count()).select_from(Playground)) == 0


def test_updates_caps_and_questions_are_checked_too(sqlite_url: str) -> None:
    upgrade_to_head(sqlite_url)
    world = make_world(sqlite_url)
    for change, says in [
        (lambda s: update_playground(s, world.playground_id, world.admin_id, name="a\x1bb"), "name"),
        (lambda s: update_playground(s, world.playground_id, world.admin_id, support_text="\x07"), "support_text"),
        (lambda s: set_arm_cap(s, world.playground_id, world.admin_id, "v1", 10**12), "max_evaluations"),
        (lambda s: add_question(s, world.playground_id, world.admin_id, QuestionSpec("\x1b[1mBold?", "input_string")),
         "question_text"),
    ]:
        with pytest.raises(InvalidInput, match=says), session_scope(sqlite_url) as s:
            change(s)
    with session_scope(sqlite_url) as s:
        playground = s.get(Playground, world.playground_id)
        assert playground.name == "Find products" and playground.support_text is None
