"""A solve end to end: the matrix in parallel sandboxes, events, budget, champion; and the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from agents.code.outcome import RunConfig
from agents.code.solve import run_solve
from agents.llm.base import ModelSpec
from agents.schemas import SuggestionSpec
from cli.main import app
from tests.agents.code.conftest import SHOP, SIGNUP

RECIPE = ModelSpec("offline", "offline-recipe")


def test_matrix_runs_in_parallel_and_a_champion_is_chosen() -> None:
    events: list[tuple[str, dict]] = []
    matrix = [RunConfig(RECIPE, 0.0), RunConfig(RECIPE, 0.7), RunConfig(RECIPE, 0.0, "feedback_refined")]
    outcome = run_solve(str(SHOP), SuggestionSpec(title="Add a search box", rationale="t"), matrix=matrix,
                        max_parallel=2, time_budget_s=120, on_event=lambda k, d: events.append((k, d)))
    assert [r.status for r in outcome.runs] == ["completed"] * 3
    assert all(r.tests_passed and r.goal_checks_passed for r in outcome.runs)
    assert len({r.sandbox_id for r in outcome.runs}) == 3
    assert len({r.diff for r in outcome.runs}) == 3  # each configuration really built something different
    smallest = min(range(3), key=lambda i: (outcome.runs[i].loc_changed, outcome.runs[i].latency_ms))
    assert outcome.champion_index == smallest
    assert f"({outcome.runs[smallest].loc_changed} lines)" in outcome.champion_reason or "latency" in outcome.champion_reason
    run = outcome.runs[0]
    assert set(run.phases) == {"planning", "implementing", "testing"}
    assert run.diagnostics["command"] and "OK" in run.diagnostics["stderr_tail"]
    assert run.files_changed == len(run.files_modified) and run.diff.startswith("diff --git")
    kinds = [k for k, _ in events]
    assert kinds.count("run_started") == 3 and kinds.count("run_completed") == 3
    assert {d["phase"] for k, d in events if k == "phase_update"} == {"planning", "implementing", "testing"}


def test_failed_runs_are_kept_with_their_reason() -> None:
    outcome = run_solve(str(SIGNUP), SuggestionSpec(title="Add a search box", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0)], max_parallel=1, time_budget_s=60)
    assert outcome.runs[0].status == "failed"
    assert "no product list found" in outcome.runs[0].error_message
    assert outcome.champion_index is None and "no run qualifies" in outcome.champion_reason


def test_time_budget_cancels_runs_that_could_not_start() -> None:
    events: list[tuple[str, dict]] = []
    outcome = run_solve(str(SHOP), SuggestionSpec(title="Sort by price", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0)] * 3, max_parallel=1, time_budget_s=0,
                        on_event=lambda k, d: events.append((k, d)))
    assert [r.status for r in outcome.runs] == ["cancelled"] * 3
    assert all("time budget" in r.error_message for r in outcome.runs)
    assert outcome.champion_index is None
    assert [k for k, _ in events] == ["run_failed"] * 3


def test_sandbox_failure_is_retried_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from agents.sandbox import factory
    from agents.sandbox.base import SandboxError

    real, calls = factory.open_sandbox, []

    def flaky(repo: str, ref: str | None = None, **kw):  # type: ignore[no-untyped-def]
        calls.append(repo)
        if len(calls) == 1:  # the first sandbox fails to start, as a full disk or a lost host would
            raise SandboxError("injected: could not create the sandbox")
        return real(repo, ref, **kw)

    monkeypatch.setattr(factory, "open_sandbox", flaky)
    events: list[tuple[str, dict]] = []
    outcome = run_solve(str(SHOP), SuggestionSpec(title="Sort by price", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0)], max_parallel=1, time_budget_s=60,
                        on_event=lambda k, d: events.append((k, d)))
    assert [r.status for r in outcome.runs] == ["failed", "completed"]
    assert "injected" in outcome.runs[0].error_message and outcome.runs[1].retry_of == 0
    assert ("run_retry", {"run_index": 1, "parent_index": 0, "reason": outcome.runs[0].error_message}) in events
    assert outcome.champion_index == 1


def test_cli_implement_json_and_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["implement", "--repo", str(SIGNUP), "--suggestion",
                                 "Show errors inline next to each field", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    champion = data["runs"][data["champion_index"]]
    assert champion["tests_passed"] and champion["goal_checks_passed"]
    for args, message in [
        (["--repo", "/definitely/not/here", "--suggestion", "x"], "neither a local folder"),
        (["--repo", str(SHOP), "--suggestion", "  "], "suggestion is empty"),
        (["--repo", str(SHOP), "--suggestion", "x", "--agent", "magic"], "unknown agent"),
    ]:
        bad = runner.invoke(app, ["implement", *args])
        assert bad.exit_code == 2 and message in bad.output


@pytest.mark.parametrize("as_json", [False, True])
def test_cli_tool_agent_offline_fails_every_run_with_the_reason(as_json: bool) -> None:
    args = ["implement", "--repo", str(SHOP), "--suggestion", "Add a search box", "--agent", "tool"]
    result = CliRunner().invoke(app, args + (["--json"] if as_json else []))
    assert result.exit_code == 1
    assert "offline provider cannot run the tool-use code agent" in result.output
    if as_json:
        assert all(r["status"] == "failed" for r in json.loads(result.output)["runs"])
