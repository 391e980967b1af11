"""A button that adds an empty entry to type into (a to-do list's "+" that opens a new row edited in
place, with no form and no box until it is pressed): the scout reports it as a create form, the
planner derives a create flow, and users press it, type, and succeed only when the entry is kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.browser.panel import run_panel
from agents.browser.scout import scout
from agents.llm.offline_provider import OfflineProvider
from agents.llm.tasks import derive_flows
from agents.schemas import FormPurpose
from settings import Settings
from tests.agents.browser.conftest import serve

PAGE = """<!doctype html><html lang="en"><head><title>Chores</title></head><body><main>
<h1>Chores</h1>
<div class="bar"><h2>Tasks</h2>{BUTTON}</div>
<ul id="rows"></ul>
<script>
  const KEEP = {KEEP};
  const key = 'chores';
  const saved = JSON.parse(localStorage.getItem(key) || '["Water the fern", "Fix the gate"]');
  const rows = document.getElementById('rows');
  const save = () => { if (KEEP) localStorage.setItem(key, JSON.stringify(
    Array.from(rows.querySelectorAll('input[type=text]')).map(i => i.value))); };
  const row = (title) => {
    const li = document.createElement('li');
    const box = document.createElement('input');
    box.type = 'text'; box.placeholder = 'Subject'; box.value = title;
    box.addEventListener('input', save);
    box.addEventListener('keydown', e => { if (e.key === 'Enter') box.blur(); });
    li.append(box); rows.append(li); return box;
  };
  saved.forEach(row);
  document.getElementById('add').addEventListener('click', () => { row('').focus(); save(); });
</script>
</main></body></html>
"""
ICON = '<button id="add" class="bar__add-button"><svg class="fa-plus" data-icon="plus" viewBox="0 0 8 8"><path d="M3 0h2v8H3z"/></svg></button>'
SITES = {"kept": (ICON, "true"), "named": ('<button id="add">Add task</button>', "true"), "lost": (ICON, "false")}
STEPPER = """<!doctype html><html lang="en"><head><title>Cart</title></head><body><main><h1>Your cart</h1>
<div class="qty"><button>-</button><span>1</span><button id="add">+</button></div></main></body></html>"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("entry-opener")
    urls, servers = {}, []
    for name, (button, keep) in SITES.items():
        (root / name).mkdir()
        (root / name / "index.html").write_text(PAGE.replace("{BUTTON}", button).replace("{KEEP}", keep))
        urls[name], server = serve(root / name)
        servers.append(server)
    (root / "stepper").mkdir()
    (root / "stepper" / "index.html").write_text(STEPPER)
    urls["stepper"], server = serve(root / "stepper")
    servers.append(server)
    yield urls
    for server in servers:
        server.shutdown()


@pytest.mark.browser
def test_the_scout_reports_an_add_button_as_a_create_form_and_not_a_quantity_stepper(
        sites: dict[str, str], settings: Settings) -> None:
    for name in ("kept", "named"):
        forms = [f for f in scout(sites[name], max_pages=1, browser=settings.browser).forms if f.formless]
        assert [(f.opens_entry, f.purpose) for f in forms] == [(True, FormPurpose.CREATE)], (name, forms)
        assert forms[0].button and forms[0].heading == "Tasks", forms[0]
    stepper = scout(sites["stepper"], max_pages=1, browser=settings.browser)
    assert not [f for f in stepper.forms if f.opens_entry], stepper.forms


@pytest.mark.browser
def test_users_press_add_type_and_succeed_only_when_the_entry_is_kept(
        sites: dict[str, str], settings: Settings, tmp_path: Path) -> None:
    plan = derive_flows("Users struggle to add a new task", scout(sites["kept"], max_pages=1, browser=settings.browser),
                        OfflineProvider()).value
    assert [f.task.kind for f in plan.flows] == ["complete_form"], plan
    assert plan.flows[0].task.params["values"] == {"entry": "Buy oat milk"}  # what goes on a list first
    arms = {name: sites[name] for name in SITES}
    results = run_panel(arms, plan.flows, sessions_per_flow=2, concurrency=3, artifacts_dir=tmp_path, settings=settings)
    assert {r.variant_key for r in results} == set(SITES)
    for r in results:
        kinds = [a["type"] for a in r.action_log]
        assert "typed into the site's search box" not in r.insights, r.insights  # it typed into a new entry
        assert kinds[1:3] == ["open_form", "fill"], (r.variant_key, r.action_log)
        if r.variant_key == "lost":
            assert not r.success and "gone after reloading" in r.summary, r.summary
        else:
            assert r.success and "still there after reloading" in r.summary, (r.variant_key, r.summary)
