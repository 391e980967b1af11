"""Rows edited in place (each item's title in its own text box, no <form>) are not "add" boxes: the
scout reports only a box that starts empty, so no create flow is planned on a field that edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.browser.scout import scout
from settings import Settings
from tests.agents.browser.conftest import serve

ROWS = """<!doctype html><html lang="en"><head><title>Plans</title></head><body><main>
<h1>Weekend plans</h1>
{ADD}
<ul id="rows"></ul>
<script>
  const rows = document.getElementById('rows');
  for (const title of ['Repot the fern', 'Call the plumber', 'Bake bread']) {
    const li = document.createElement('li');
    const box = document.createElement('input');
    box.type = 'text'; box.placeholder = 'Plan title'; box.value = title;  // set by script, as frameworks do
    const done = document.createElement('input');
    done.type = 'checkbox';
    li.append(done, box);
    rows.append(li);
  }
</script>
</main></body></html>
"""


@pytest.mark.browser
@pytest.mark.parametrize("add, offered", [
    ("", []),
    ('<div class="new"><input type="text" placeholder="New plan"><button>Add</button></div>', ["New plan"]),
])
def test_only_a_box_that_starts_empty_is_offered_as_an_add_box(tmp_path: Path, settings: Settings, add: str,
                                                              offered: list[str]) -> None:
    (tmp_path / "index.html").write_text(ROWS.replace("{ADD}", add))
    url, server = serve(tmp_path)
    try:
        forms = [f for f in scout(url, max_pages=1, browser=settings.browser).forms if f.formless]
    finally:
        server.shutdown()
    assert [field.label or field.placeholder for form in forms for field in form.fields] == offered, forms
