"""The panel's findings, from session results alone (no browser): specific, and each said once."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.browser.analysis import analyze_panel
from agents.browser.results import SessionResult

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SIGNUP = "http://127.0.0.1:8000/"
REJECTED = "gave up after 2 submit(s) on http://127.0.0.1:8000/; the form was still rejected: 'Invalid input'"


def session(persona: str, seed: int, summary: str, *, success: bool = False, flow: str = "Complete the sign-up",
            page: str = SIGNUP) -> SessionResult:
    return SessionResult(variant_key="control", flow_name=flow, flow_order=1, persona=persona, seed=seed,
                         task_prompt="t", success=success, summary=summary, pages_visited=[page],
                         started_at=NOW, completed_at=NOW)


def test_the_same_failure_in_many_sessions_is_one_finding_with_who_and_which_seeds() -> None:
    results = [session(p, 100 + i, REJECTED) for i, p in enumerate(["searcher", "scanner", "searcher", "scanner"])]
    results.append(session("impatient", 200, "gave up after 1 submit(s) on http://127.0.0.1:8000/; rejected"))
    issues = analyze_panel(results).issues
    assert issues[0] == (f"'Complete the sign-up' failed in 4 sessions (searcher x2, scanner x2; "
                         f"seeds 100, 101, 102, ...) at {SIGNUP}: {REJECTED}")
    # A different ending is a different finding, and a single session keeps its own seed.
    assert issues[1].startswith("'Complete the sign-up' failed for the impatient (seed 200) at")
    assert len(issues) == 2


def test_failures_on_different_pages_or_flows_stay_apart_and_successes_are_not_issues() -> None:
    results = [
        session("impatient", 1, "gave up after 5 actions", flow="Find A", page=SIGNUP + "page-5.html"),
        session("impatient", 2, "gave up after 5 actions", flow="Find A", page=SIGNUP + "page-6.html"),
        session("impatient", 3, "gave up after 5 actions", flow="Find B", page=SIGNUP + "page-6.html"),
        session("searcher", 4, "added A to the cart", success=True, flow="Find A"),
    ]
    issues = analyze_panel(results).issues
    assert len(issues) == 3 and all("failed for the impatient" in i for i in issues)
    assert not any("added A" in i for i in issues)


def test_requests_to_other_origins_are_one_line_by_host() -> None:
    cdn = ["https://cdn.example.net/bootstrap.css", "https://cdn.example.net/bootstrap.js"]
    fonts = ["https://fonts.example.org/icons.css"]
    results = []
    for seed in range(4):
        one = session("searcher", seed, "added A to the cart", success=True)
        blocked = cdn + fonts if seed < 3 else []
        one.failed_requests = [f"{u} (blocked: outside origin)" for u in blocked] + (
            ["http://127.0.0.1:8000/missing.js (HTTP 404)"] if seed == 0 else [])
        one.issues = [f"blocked {len(blocked)} request(s) leaving the site's origin, e.g. {blocked[0]}"] if blocked else []
        results.append(one)
    issues = analyze_panel(results).issues
    expected = ("requests to other origins, blocked by the panel: cdn.example.net (2 file(s)), "
                "fonts.example.org (1 file(s)) (seen in 3 session(s))")
    assert [i for i in issues if "origin" in i] == [expected]
    # The site's own failures are still listed one by one.
    assert "failed request: http://127.0.0.1:8000/missing.js (HTTP 404) (seen in 1 session(s))" in issues
