"""A form counts as accepted only on evidence that the submit did something, not on a welcoming title."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.browser.forms import _accepted
from agents.browser.page_view import Field, PageView
from agents.browser.panel import run_panel
from agents.schemas import FlowSpec, TaskSpec
from settings import Settings
from tests.agents.browser.conftest import serve

# The page greets before anything is sent: its title and heading alone must never count as success.
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Welcome! Create your account</title></head>
<body><h1>Welcome! Create your account</h1>
<p class="success" role="status" hidden></p>
<form id="f" novalidate>
<label for="email">Email *</label><input id="email" name="email" type="email" required>
<label for="password">Password *</label><input id="password" name="password" type="password" required>
<button type="submit">Create account</button>
</form>
<script>{script}</script>
</body></html>
"""
SCRIPTS = {
    # The handler throws: no message, no error, nothing happens.
    "broken": """document.getElementById("f").addEventListener("submit", function (e) {
  e.preventDefault(); createAccount(this);
});""",
    "in_place": """document.getElementById("f").addEventListener("submit", function (e) {
  e.preventDefault();
  var done = document.querySelector(".success"); done.textContent = "Welcome, you're in"; done.hidden = false;
});""",
    "navigates": """document.getElementById("f").addEventListener("submit", function (e) {
  e.preventDefault(); window.location.href = "welcome.html";
});""",
}
WELCOME = "<!DOCTYPE html><title>Welcome</title><h1>Welcome aboard</h1><p>Your account is ready.</p>"
VALUES = {"email": "ana@example.com", "password": "Sunrise#2024x"}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("welcome-sites")
    urls, servers = {}, []
    for key, script in SCRIPTS.items():
        site = root / key
        site.mkdir()
        (site / "index.html").write_text(PAGE.format(script=script))
        (site / "welcome.html").write_text(WELCOME)
        url, server = serve(site)
        urls[key] = url
        servers.append(server)
    yield urls
    for server in servers:
        server.shutdown()


def signup() -> FlowSpec:
    return FlowSpec(
        name="sign up",
        description="create an account",
        instructions="Create an account.",
        task=TaskSpec(kind="complete_form", params={"form_hint": "signup", "values": VALUES}),
    )


@pytest.mark.browser
def test_a_welcoming_title_is_not_success_and_a_new_message_or_a_new_page_is(
    sites: dict[str, str], tmp_path: Path, settings: Settings
) -> None:
    results = run_panel(sites, [signup()], sessions_per_flow=4, concurrency=4, artifacts_dir=tmp_path,
                        settings=settings)
    by = {(r.variant_key, r.persona): r for r in results}
    assert len(by) == len(SCRIPTS) * 4
    for (key, persona), r in by.items():
        if key == "broken":
            assert not r.success, (key, persona, r.summary)
            submits = [a["type"] for a in r.action_log].count("submit")
            # One more click when the first seems lost, then the user leaves; the impatient clicks once.
            assert submits == (1 if persona == "impatient" else 2), (key, persona, r.action_log)
            assert r.summary.startswith(f"submitted the form {submits} time(s)"), r.summary
            assert r.summary.endswith("nothing happened: no confirmation, no error, the same form")
            assert any("showed no confirmation and no error" in i for i in r.issues), r.issues
            assert any("createAccount is not defined" in e for e in r.console_errors), r.console_errors
            assert not any(u.endswith("welcome.html") for u in r.pages_visited)
        else:
            assert r.success, (key, persona, r.summary)
            assert r.summary.startswith("form accepted after 1 submit(s)"), r.summary
    assert "confirmation shown: 'Welcome, you're in'" in by["in_place", "searcher"].summary
    assert by["in_place", "searcher"].pages_visited == [sites["in_place"]]  # accepted where it stood
    navigated = by["navigates", "searcher"]
    assert navigated.pages_visited[-1].endswith("welcome.html"), navigated.pages_visited
    assert "moved to another page" in navigated.summary or "confirmation shown" in navigated.summary


EMAIL = Field(name="email", label="Email *", type="email", in_form=True)


def view(
    url: str = "http://127.0.0.1:8000/", title: str = "Welcome! Create your account", **kw: object
) -> PageView:
    return PageView.model_validate({"url": url, "title": title, "headings": [title], "inputs": [EMAIL], **kw})


def test_success_wording_counts_only_with_evidence_that_the_submit_did_something() -> None:
    before = view()
    assert _accepted(before, view()) is None  # the same title, the same page, the same form
    # The same form again elsewhere (a GET submit's reload, /index.html for /) is the same form.
    assert _accepted(before, view(url="http://127.0.0.1:8000/?email=a%40b.co")) is None
    assert _accepted(before, view(url="http://127.0.0.1:8000/index.html")) is None
    assert (
        _accepted(before, view(alerts=["Welcome, you're in"])) == "confirmation shown: 'Welcome, you're in'"
    )
    assert (
        _accepted(before, view(url="http://127.0.0.1:8000/welcome.html", inputs=[]))
        == "moved to another page"
    )
    assert _accepted(before, view(inputs=[])) == "the form is gone"
    # Evidence without success wording proves nothing either; an error next to a field is no success.
    assert _accepted(before, view(url="http://127.0.0.1:8000/step2.html", title="Step 2", inputs=[])) is None
    wrong = dataclasses.replace(EMAIL, invalid=True, message="Enter a valid email")
    assert _accepted(view(title="Sign up"), view(alerts=["Welcome, you're in"], inputs=[wrong])) is None
    assert _accepted(view(title="Sign up"), view(title="Welcome")) == "confirmation shown: 'Welcome'"


def test_a_toast_saying_the_action_was_done_is_success_and_one_saying_it_failed_is_not() -> None:
    before = view()
    # What a confirmation module or a todo app says once the item is in: not a rejection to fix.
    assert _accepted(before, view(alerts=["\u2713 Added Todo"])) == "confirmation shown: '\u2713 Added Todo'"
    assert _accepted(before, view(alerts=["Saved"])) == "confirmation shown: 'Saved'"
    assert _accepted(before, view(alerts=["Your todo could not be saved"])) is None
    assert _accepted(before, view(alerts=["Error: nothing was added"])) is None
    # A heading that only labels a list is no confirmation, even when it is new.
    assert _accepted(before, view(headings=["Recently added"])) is None


def test_a_create_form_that_comes_back_empty_with_one_more_entry_listed_worked() -> None:
    # A to-do app's "Add" posts and redirects back to its list: the same page, its required field empty
    # again (natively "invalid", though no browser shows it unsubmitted), and the new entry listed.
    # Seen on an unseen Django to-do app, where every add was read as "still rejected".
    url = "http://127.0.0.1:8000/todos/"
    title = Field(type="text", name="title", required=True, in_form=True)
    filled = dataclasses.replace(title, value="Buy milk")
    fresh = dataclasses.replace(title, invalid=True, message="Please fill out this field.")
    before = PageView(url=url, title="Todo List", text="Todo List Add Buy milk Call mum", inputs=[filled])
    after = before.model_copy(update={"text": "Todo List Add Buy milk Buy milk Call mum", "inputs": [fresh]})
    typed = {"title": "Buy milk"}
    assert _accepted(before, after, "create", typed) == "the new entry is shown"
    # Nothing new listed: not shown to have worked (an earlier visitor's entry is no evidence).
    assert _accepted(before, after.model_copy(update={"text": before.text}), "create", typed) is None
    # A browser that refuses the submit keeps what was typed: that is no reset.
    refused = dataclasses.replace(filled, invalid=True, message="Please match the requested format.")
    assert _accepted(before, after.model_copy(update={"inputs": [refused]}), "create", typed) is None
