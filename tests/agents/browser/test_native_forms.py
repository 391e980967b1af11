"""A server-rendered form (no script, the browser submits it) is completed like any other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.browser.panel import run_panel
from agents.schemas import FlowSpec, TaskSpec
from settings import Settings
from tests.agents.browser.conftest import serve

pytestmark = pytest.mark.browser

FORM = """<!doctype html><html lang="en"><head><title>Join</title></head><body><main>
<h1>Create your account</h1>
<form action="welcome.html" method="get">
  <label for="name">Full name</label> <input id="name" name="name" required>
  <label for="email">Email</label> <input id="email" name="email" type="email" required>
  <button type="submit">Sign up</button>
</form></main></body></html>"""
WELCOME = """<!doctype html><html lang="en"><head><title>Welcome</title></head><body><main>
<h1>Welcome aboard!</h1><p>Your account is ready.</p><a href="index.html">Home</a></main></body></html>"""


@pytest.fixture
def native_form(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "index.html").write_text(FORM)
    (tmp_path / "welcome.html").write_text(WELCOME)
    url, server = serve(tmp_path)
    yield url
    server.shutdown()


def test_a_natively_submitted_form_reaches_its_welcome_page(native_form: str,
                                                            tmp_path: Path, settings: Settings) -> None:
    # Many sessions at once: the navigation starts just after the click returns, and a session
    # that watched the old document for in-page updates broke ("Execution context was destroyed").
    signup = FlowSpec(name="sign up", description="", instructions="Sign up.", order=1,
                      task=TaskSpec(kind="complete_form", params={"form_hint": "sign-up form"}))
    results = run_panel({"v": native_form}, [signup], sessions_per_flow=16, concurrency=4,
                        artifacts_dir=tmp_path / "artifacts", settings=settings)
    assert [r.error for r in results if r.error] == []
    assert all(r.success for r in results), [r.summary for r in results]
    assert all(r.pages_visited[-1].startswith(native_form + "welcome.html") for r in results)
