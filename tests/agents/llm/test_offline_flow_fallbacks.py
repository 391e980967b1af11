"""Goals in the words users write them ("add, rename and remove items", "post a message") and apps
whose only task is a form: a flow on that form, never an exploration that measures nothing."""

from __future__ import annotations

import pytest

from agents.llm.offline_flows import made_noun
from agents.llm.offline_forms import form_values
from agents.llm.offline_provider import OfflineProvider
from agents.llm.tasks import derive_flows
from agents.schemas import FieldInfo, FormInfo, FormPurpose, PageInfo, ScoutInventory

URL = "http://127.0.0.1:9/"


def board(purpose: FormPurpose = FormPurpose.CREATE, fields: list[FieldInfo] | None = None) -> ScoutInventory:
    fields = fields or [FieldInfo(name="author", type="text", label="Name"),
                        FieldInfo(name="text", type="textarea", label="Message")]
    form = FormInfo(page_url=f"{URL}new", selector="form >> nth=0", heading="Create new post", submit_text="Create post",
                    fields=fields, purpose=purpose)
    return ScoutInventory(url=URL, title="Board", pages=[PageInfo(url=URL), PageInfo(url=f"{URL}new", depth=1)],
                          forms=[form])


@pytest.mark.parametrize("goal, noun", [
    ("Users struggle to add, rename and remove items in their list", "item"),
    ("People find it hard to add, edit, or delete notes", "note"),
    ("Users struggle to add and complete to-dos quickly", "to-do"),
])
def test_a_list_of_verbs_still_names_what_is_made(goal: str, noun: str) -> None:
    assert made_noun(goal) == noun


def test_adding_to_a_cart_is_still_not_making_a_thing() -> None:
    assert made_noun("Users struggle to add items to the cart") is None


@pytest.mark.parametrize("goal", ["The board feels clunky", "Visitors find it hard to post a new message on the board"])
def test_a_goal_without_a_known_journey_gets_a_flow_on_the_app_s_create_form(goal: str) -> None:
    plan = derive_flows(goal, board(), OfflineProvider()).value
    assert [f.task.kind for f in plan.flows] == ["complete_form"], plan
    assert plan.flows[0].task.params["form_hint"] == "create"


def test_a_real_contact_goal_without_a_contact_form_is_still_dropped() -> None:
    plan = derive_flows("Customers can't send us a message", board(), OfflineProvider()).value
    assert "Send a message" in [d.name for d in plan.dropped]


def test_fields_without_a_name_are_filled_by_their_label_or_placeholder() -> None:
    # A script-rendered form: controlled inputs with neither name nor id.
    fields = [FieldInfo(name="", type="text", label="", placeholder="Enter text..."),
              FieldInfo(name="", type="number", label="Amount", placeholder="Enter amount...")]
    form = FormInfo(page_url=URL, fields=fields, purpose=FormPurpose.CREATE)
    values = form_values(form)
    assert set(values) == {"Enter text...", "Amount"} and all(values.values()), values


def test_a_create_control_that_says_what_it_does_is_not_suggested_again() -> None:
    from agents.llm.tasks import existing_features
    from agents.schemas import PageLink

    labelled = board().model_copy(update={"links_seen": [PageLink(text="Create new post", href=f"{URL}new")]})
    assert "primary_action" in existing_features(labelled)
    symbol = board().model_copy(update={"links_seen": [PageLink(text="+", href=f"{URL}new"),
                                                        PageLink(text="Add to cart", href=f"{URL}cart")]})
    assert "primary_action" not in existing_features(symbol)
