"""The sign-up example: a form that can be completed, one that cannot; and clear errors before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.browser.analysis import analyze_panel
from agents.browser.chromium import BrowserError
from agents.browser.panel import run_panel
from agents.schemas import FlowSpec, TaskSpec
from settings import Settings

VALID = {
    "first_name": "Ana",
    "last_name": "Silva",
    "email": "ana@example.com",
    "password": "Sunrise#2024x",
    "phone": "(555) 123-4567",
}


def signup(values: dict, order: int = 1, name: str = "sign up") -> FlowSpec:
    return FlowSpec(
        name=name,
        description="create an account",
        instructions="Create an account.",
        order=order,
        task=TaskSpec(kind="complete_form", params={"form_hint": "signup", "values": values}),
    )


@pytest.mark.browser
def test_signup_succeeds_with_valid_details_and_fails_on_an_unexplained_phone_format(
    signup_url: str, tmp_path: Path, settings: Settings
) -> None:
    unexplained = {k: v for k, v in VALID.items() if k != "phone"}  # the user types the phone their way
    results = run_panel(
        {"control": signup_url},
        [signup(VALID), signup(unexplained, 2, "sign up, own phone")],
        sessions_per_flow=1,
        artifacts_dir=tmp_path,
        settings=settings,
    )
    ok = next(r for r in results if r.flow_name == "sign up")
    stuck = next(r for r in results if r.flow_name == "sign up, own phone")
    assert ok.success, ok.summary
    assert ok.pages_visited[-1].endswith("welcome.html")
    assert "***" in ok.raw_logs and "Sunrise#2024x" not in ok.raw_logs  # passwords never logged
    assert not stuck.success
    assert "Invalid input" in stuck.summary and "form error shown: 'Invalid input'" in stuck.issues
    # "Invalid input" says nothing: one blind guess (a stronger password), then the user leaves.
    assert [a["type"] for a in stuck.action_log].count("submit") == 2
    assert stuck.summary.startswith("gave up after 2 submit(s)")
    issues = analyze_panel(results).issues
    assert any("sign up, own phone" in i and "Invalid input" in i for i in issues)


# What people type when nothing tells them otherwise (and what the offline flows hand the personas).
NATURAL = {"password": "sunflower22", "phone": "555-123-4567", "email": "ana@example.com"}


@pytest.mark.browser
def test_natural_values_fail_on_hidden_rules_and_succeed_once_the_page_states_them(
    signup_url: str, helped_signup_url: str, tmp_path: Path, settings: Settings
) -> None:
    results = run_panel(
        {"control": signup_url, "helped": helped_signup_url},
        [signup(NATURAL)],
        sessions_per_flow=4,
        concurrency=4,
        artifacts_dir=tmp_path,
        settings=settings,
    )
    control = [r for r in results if r.variant_key == "control"]
    helped = [r for r in results if r.variant_key == "helped"]
    assert (
        {r.persona for r in control}
        == {r.persona for r in helped}
        == {"searcher", "category_navigator", "scanner", "impatient"}
    )
    for r in control:  # only "Invalid input": the hidden password and phone rules are never learnt
        assert not r.success, r.summary
        assert r.issues == ["form error shown: 'Invalid input'"]
        assert [a["type"] for a in r.action_log].count("submit") <= 2
        assert not r.pages_visited[-1].endswith("welcome.html")
    for r in helped:  # the hint and the errors next to the fields say what to change: the user adapts
        assert r.success, r.summary
        assert r.pages_visited[-1].endswith("welcome.html")
        assert "sunflower22" not in r.raw_logs and "555-123-4567" in r.raw_logs  # typed first, then fixed
        assert "Phone *=(555) 123-4567" in r.raw_logs  # their own number, in the format the page showed


@pytest.mark.parametrize(
    ("flow", "message"),
    [
        (FlowSpec(name=" ", description="", instructions="", task=TaskSpec(kind="explore")), "empty name"),
        (
            FlowSpec(name="f", description="", instructions="", task=TaskSpec(kind="find_item", params={})),
            "needs params.item_name",
        ),
        (
            FlowSpec(
                name="f",
                description="",
                instructions="",
                task=TaskSpec.model_construct(kind="checkout", params={}),
            ),
            "unknown task kind 'checkout'",
        ),
        (signup(["not", "a", "mapping"]), "params.values must be a mapping"),  # type: ignore[arg-type]
    ],
)
def test_malformed_flows_are_refused_before_anything_runs(
    flow: FlowSpec, message: str, tmp_path: Path, settings: Settings
) -> None:
    with pytest.raises(ValueError, match=message):
        run_panel({"v": "http://127.0.0.1:1/"}, [flow], sessions_per_flow=1, artifacts_dir=tmp_path,
                  settings=settings)
    assert not any(tmp_path.iterdir())  # nothing ran, nothing written


def test_unreachable_url_is_a_clear_error(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(BrowserError, match=r"cannot reach http://127\.0\.0\.1:1/: connection refused"):
        run_panel({"v": "http://127.0.0.1:1/"}, [signup(VALID)], sessions_per_flow=1, artifacts_dir=tmp_path,
                  settings=settings)


@pytest.mark.browser
def test_a_session_over_its_time_limit_fails_as_timed_out(signup_url: str, tmp_path: Path) -> None:
    from settings import BrowserSettings, Settings

    [result] = run_panel({"v": signup_url}, [signup(VALID)], sessions_per_flow=1, artifacts_dir=tmp_path,
                         settings=Settings(browser=BrowserSettings(session_timeout_s=0.3)))
    assert not result.success and result.summary == "timed out"
    assert result.error and result.error.startswith("timed out after 0.3s")
