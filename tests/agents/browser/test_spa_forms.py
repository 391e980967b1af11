"""A script-rendered form as React apps write them: inputs with no name, nothing marked required, and
the form not cleared after an entry is added to the list beside it. Users fill every field (an empty
submit tests nothing) and succeed when the entry is listed, form cleared or not; a button inside a
link is a way to another page, never an "add" button."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.browser.panel import run_panel
from agents.browser.scout import scout
from agents.llm.offline_provider import OfflineProvider
from agents.llm.tasks import derive_flows
from settings import Settings
from tests.agents.browser.conftest import serve

TRACKER = """<!doctype html><html lang="en"><head><title>Spending</title></head><body><main>
<h1>Expense tracker</h1><h3>History</h3><ul id="history"></ul>
<h3>Add new transaction</h3>
<form id="f"><label>Text <input type="text" placeholder="Enter text..."></label>
<label>Amount <input type="number" placeholder="Enter amount..."></label><button>Add transaction</button></form>
<script>
  const [text, amount] = document.querySelectorAll('#f input');
  document.getElementById('f').addEventListener('submit', e => {
    e.preventDefault();
    {ON_SUBMIT}
  });
</script></main></body></html>
"""
WORKS = "if (text.value && amount.value) { const li = document.createElement('li'); " \
        "li.textContent = text.value + ' ' + amount.value; document.getElementById('history').append(li); }"
LOST = "/* the entry goes nowhere */"
LINKED = """<!doctype html><html lang="en"><head><title>Board</title></head><body><main><h1>Messages</h1>
<p>Hi there! (Amando)</p><a href="/new"><button>Create new post</button></a></main></body></html>"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("spa-forms")
    urls, servers = {}, []
    for name, page in (("works", TRACKER.replace("{ON_SUBMIT}", WORKS)),
                       ("lost", TRACKER.replace("{ON_SUBMIT}", LOST)), ("linked", LINKED)):
        (root / name).mkdir()
        (root / name / "index.html").write_text(page)
        urls[name], server = serve(root / name)
        servers.append(server)
    yield urls
    for server in servers:
        server.shutdown()


@pytest.mark.browser
def test_a_button_inside_a_link_is_not_an_add_button(sites: dict[str, str], settings: Settings) -> None:
    forms = scout(sites["linked"], max_pages=1, browser=settings.browser).forms
    assert not [f for f in forms if f.opens_entry], forms


@pytest.mark.browser
def test_users_fill_unnamed_optional_fields_and_succeed_only_when_the_entry_is_listed(
        sites: dict[str, str], settings: Settings, tmp_path: Path) -> None:
    inventory = scout(sites["works"], max_pages=1, browser=settings.browser)
    plan = derive_flows("Users find it hard to add an expense", inventory, OfflineProvider()).value
    assert [f.task.kind for f in plan.flows] == ["complete_form"], plan
    assert len(plan.flows[0].task.params["values"]) == 2, plan.flows[0].task.params  # both unnamed fields
    arms = {"works": sites["works"], "lost": sites["lost"]}
    results = run_panel(arms, plan.flows, sessions_per_flow=1, concurrency=2, artifacts_dir=tmp_path, settings=settings)
    for r in results:
        fills = [a for a in r.action_log if a["type"] == "fill"]
        assert len(fills) >= 2, (r.variant_key, r.action_log)
        if r.variant_key == "works":
            assert r.success and "the new entry is shown" in r.summary, (r.persona, r.summary)
        else:
            assert not r.success, (r.persona, r.summary)
