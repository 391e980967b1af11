"""A single-page app's "add" box outside any <form>: a text input with an Add button beside it, or an
input that adds on Enter. The scout reports it as a create form, the planner derives a create flow
from it, and simulated users fill it and submit it: they succeed when the new entry is listed, and
fail when the button does nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.browser.panel import run_panel
from agents.browser.scout import scout
from agents.llm.offline_provider import OfflineProvider
from agents.llm.tasks import derive_flows
from agents.schemas import FlowSpec, FormInfo, FormPurpose, TaskSpec
from settings import Settings
from tests.agents.browser.conftest import FIXTURES, serve

BUTTONS = {"button": "<button>Add</button>", "enter": "", "broken": "<button>Add</button>"}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("formless-todo")
    template = (FIXTURES / "formless_todo.html").read_text()
    urls, servers = {}, []
    for mode, button in BUTTONS.items():
        (root / mode).mkdir()
        (root / mode / "index.html").write_text(template.replace("{{MODE}}", mode).replace("{{BUTTON}}", button))
        urls[mode], server = serve(root / mode)
        servers.append(server)
    yield urls
    for server in servers:
        server.shutdown()


def add_box(url: str, settings: Settings) -> FormInfo:
    (form,) = [f for f in scout(url, max_pages=1, browser=settings.browser).forms if f.formless]
    return form


@pytest.mark.browser
def test_the_scout_reports_an_add_box_outside_any_form_as_a_create_form(sites: dict[str, str],
                                                                        settings: Settings) -> None:
    with_button, with_enter = add_box(sites["button"], settings), add_box(sites["enter"], settings)
    for form in (with_button, with_enter):
        assert form.purpose == FormPurpose.CREATE, form
        assert [(f.type, f.label) for f in form.fields] == [("text", "What needs to be done?")], form.fields
        assert form.heading == "My tasks" and form.selector, form
    assert with_button.submit_text == "Add" and with_button.button, with_button
    # No button beside the box (the list's Delete buttons are not its button): Enter submits it.
    assert with_enter.submit_text == "" and with_enter.button == "", with_enter
    inventory = scout(sites["enter"], max_pages=1, browser=settings.browser)
    assert not [f for f in inventory.forms if not f.formless]  # nor is any <form> made up


@pytest.mark.browser
def test_the_planner_derives_a_create_flow_not_an_exploration(sites: dict[str, str],
                                                              settings: Settings) -> None:
    for mode in ("button", "enter"):
        plan = derive_flows("Users struggle to add a new task", scout(sites[mode], max_pages=1,
                                                                      browser=settings.browser), OfflineProvider()).value
        assert [f.task.kind for f in plan.flows] == ["complete_form"], plan
        assert plan.flows[0].task.params["form_hint"] == "create"
        assert plan.flows[0].task.params["values"], plan.flows[0].task.params


@pytest.mark.browser
def test_users_add_a_task_with_the_button_or_enter_and_fail_when_the_button_does_nothing(
    sites: dict[str, str], tmp_path: Path, settings: Settings
) -> None:
    plan = derive_flows("Users struggle to add a new task", scout(sites["button"], max_pages=1,
                                                                  browser=settings.browser), OfflineProvider()).value
    results = run_panel(sites, plan.flows, sessions_per_flow=2, concurrency=3, artifacts_dir=tmp_path,
                        settings=settings)
    assert {r.variant_key for r in results} == set(BUTTONS)
    for r in results:
        kinds = [a["type"] for a in r.action_log]
        assert "fill" in kinds, (r.variant_key, r.action_log)
        if r.variant_key == "broken":
            assert not r.success, (r.persona, r.summary)
            assert "nothing happened" in r.summary, r.summary
        else:
            assert r.success, (r.variant_key, r.persona, r.summary, r.action_log)
            assert "the new entry is shown" in r.summary, r.summary
            assert ("press" if r.variant_key == "enter" else "submit") in kinds, r.action_log


@pytest.mark.browser
def test_a_one_page_exploration_says_it_measures_nothing(sites: dict[str, str],
                                                         tmp_path: Path, settings: Settings) -> None:
    flows = [FlowSpec(name=f"Explore {n}", description="", instructions="Look around.",
                      task=TaskSpec(kind="explore", params={"max_pages": n})) for n in (1, 2)]
    results = run_panel({"enter": sites["enter"]}, flows, sessions_per_flow=1, concurrency=2, artifacts_dir=tmp_path,
                        settings=settings)
    by = {r.flow_name: r for r in results}
    assert by["Explore 1"].success and "measures nothing" in by["Explore 1"].summary, by["Explore 1"].summary
    assert not by["Explore 2"].success and "measures nothing" not in by["Explore 2"].summary  # one page, no links
