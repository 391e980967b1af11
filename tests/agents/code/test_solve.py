"""A solve end to end: the matrix in parallel sandboxes, events, budget, champion; and the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from agents.code.outcome import RunConfig
from agents.code.solve import run_solve
from agents.code.solve_events import EventKind, EventStatus, SolveEvent
from agents.llm.base import ModelSpec
from agents.schemas import SuggestionSpec
from cli.main import app
from settings import Settings
from tests.agents.code.conftest import SHOP, SIGNUP
from tests.agents.conftest import OpenSandbox

RECIPE = ModelSpec("offline", "offline-recipe")


def test_matrix_runs_in_parallel_and_a_champion_is_chosen(settings: Settings) -> None:
    matrix = [RunConfig(RECIPE, 0.0), RunConfig(RECIPE, 0.7), RunConfig(RECIPE, 0.0, "feedback_refined")]
    outcome = run_solve(str(SHOP), SuggestionSpec(title="Add a search box", rationale="t"), matrix=matrix,
                        max_parallel=2, time_budget_s=120, settings=settings)
    events = outcome.events
    assert [r.status for r in outcome.runs] == ["completed"] * 3
    # The solve, whole, as the stage persists it: what it was given, and how long it took.
    assert outcome.suggestion.title == "Add a search box" and outcome.matrix == matrix and outcome.seconds > 0
    assert all(r.tests_passed and r.goal_checks_passed for r in outcome.runs)
    assert len({r.sandbox_id for r in outcome.runs}) == 3
    assert len({r.diff for r in outcome.runs}) == 3  # each configuration really built something different
    smallest = min(range(3), key=lambda i: (outcome.runs[i].loc_changed, i))  # never latency
    assert outcome.champion_index == smallest
    assert f"{outcome.runs[smallest].loc_changed} lines" in outcome.champion_reason
    assert "latency" not in outcome.champion_reason
    run = outcome.runs[0]
    assert set(run.phases) == {"planning", "implementing", "testing"}
    assert run.diagnostics["command"] and "OK" in run.diagnostics["stderr_tail"]
    assert run.files_changed == len(run.files_modified) and run.diff.startswith("diff --git")
    kinds = [e.kind for e in events]
    assert kinds.count(EventKind.RUN_STARTED) == 3 and kinds.count(EventKind.RUN_COMPLETED) == 3
    assert {e.data["phase"] for e in events if e.kind is EventKind.PHASE_UPDATE} == {"planning", "implementing", "testing"}
    # A run's end carries its status; everything before it is in progress.
    assert {e.status for e in events if e.kind is EventKind.RUN_COMPLETED} == {EventStatus.COMPLETED}
    assert {e.status for e in events if e.kind is EventKind.RUN_STARTED} == {EventStatus.IN_PROGRESS}


def test_failed_runs_are_kept_with_their_reason(settings: Settings) -> None:
    outcome = run_solve(str(SIGNUP), SuggestionSpec(title="Add a search box", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0, "minimal")], max_parallel=1, time_budget_s=60,
                        settings=settings)
    assert outcome.runs[0].status == "failed"
    assert "needs a script" in outcome.runs[0].error_message
    assert outcome.champion_index is None and "no run qualifies" in outcome.champion_reason


@pytest.mark.browser
def test_a_module_with_nothing_to_act_on_fails_its_behavioural_check(settings: Settings) -> None:
    # The sign-up page has no listing: the search module installs, but no user could search anything.
    outcome = run_solve(str(SIGNUP), SuggestionSpec(title="Add a search box", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0)], max_parallel=1, time_budget_s=120, settings=settings)
    run = outcome.runs[0]
    assert run.status == "completed" and run.tests_passed is True and run.goal_checks_passed is False
    assert any(c["name"] == "behaviour:search" and c["passed"] is False for c in run.goal_checks)
    # Green tests do not make it an implementation: no champion, and the reason says what a user saw.
    assert outcome.champion_index is None
    assert outcome.champion_reason.startswith("no run passed its behavioural check: offline:offline-recipe run 0 "
                                              "(behaviour:search): nothing to try it on")


def test_time_budget_cancels_runs_that_could_not_start(settings: Settings) -> None:
    outcome = run_solve(str(SHOP), SuggestionSpec(title="Sort by price", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0)] * 3, max_parallel=1, time_budget_s=0,
                        settings=settings)
    events = outcome.events
    assert [r.status for r in outcome.runs] == ["cancelled"] * 3
    assert all("time budget" in r.error_message for r in outcome.runs)
    assert outcome.champion_index is None
    assert [e.kind for e in events] == [EventKind.RUN_FAILED] * 3
    assert [e.status for e in events] == [EventStatus.FAILED] * 3 and sorted(e.run_index for e in events) == [0, 1, 2]


def test_sandbox_failure_is_retried_once(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    from agents.sandbox import factory
    from agents.sandbox.base import SandboxError

    real, calls = factory.open_sandbox, []

    def flaky(repo: str, ref: str | None = None, **kw):  # type: ignore[no-untyped-def]
        calls.append(repo)
        # The first sandbox tests the unchanged app (the baseline); the first run's sandbox then fails
        # to start, as a full disk or a lost host would.
        if len(calls) == 2:
            raise SandboxError("injected: could not create the sandbox")
        return real(repo, ref, **kw)

    monkeypatch.setattr(factory, "open_sandbox", flaky)
    outcome = run_solve(str(SHOP), SuggestionSpec(title="Sort by price", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0)], max_parallel=1, time_budget_s=60, settings=settings)
    events = outcome.events
    assert [r.status for r in outcome.runs] == ["failed", "completed"]
    assert "injected" in outcome.runs[0].error_message and outcome.runs[1].retry_of == 0
    retry = SolveEvent(EventKind.RUN_RETRY, {"run_index": 1, "parent_index": 0, "reason": outcome.runs[0].error_message})
    assert retry in events and retry.status is EventStatus.IN_PROGRESS
    assert outcome.champion_index == 1


def test_an_app_that_does_not_come_up_is_not_retried(monkeypatch: pytest.MonkeyPatch,
                                                     settings: Settings) -> None:
    from agents.sandbox import factory
    from agents.sandbox.base import BringupFailed

    real, calls = factory.open_sandbox, []

    def broken(repo: str, ref: str | None = None, **kw):  # type: ignore[no-untyped-def]
        calls.append(repo)
        if len(calls) == 2:  # the first run's sandbox: its build fails as it would every time
            raise BringupFailed("build failed (exit 2): error TS2304 — set `build` in variantlab.toml")
        return real(repo, ref, **kw)

    monkeypatch.setattr(factory, "open_sandbox", broken)
    outcome = run_solve(str(SHOP), SuggestionSpec(title="Sort by price", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0)], max_parallel=1, time_budget_s=60, settings=settings)
    assert [r.status for r in outcome.runs] == ["failed"] and len(calls) == 2
    assert outcome.runs[0].error_message.startswith("BringupFailed: build failed (exit 2)")


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
        (["--repo", str(SHOP), "--suggestion", "Add a dark mode toggle"], "has no recipe for 'Add a dark mode toggle'"),
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


class _Scripted:
    """A stand-in model that answers each step from a script; the last answer repeats."""

    def __init__(self, steps: list[dict]) -> None:
        self.steps = steps

    def complete(self, *, schema, context, **kw):  # type: ignore[no-untyped-def]
        from agents.llm.base import LLMResult

        step = self.steps[min(context["step"], len(self.steps) - 1)]
        return LLMResult(schema(**step), 10, 10, 1.0, 0.0, False, "openai", "m")


def _scripted(monkeypatch: pytest.MonkeyPatch, steps: list[dict]) -> None:
    from agents.llm import factory

    monkeypatch.setattr(factory, "get_provider", lambda spec=None, **kw: _Scripted(steps))


def test_a_run_that_empties_the_app_tests_is_not_champion(monkeypatch: pytest.MonkeyPatch,
                                                          settings: Settings) -> None:
    pages = ["index.html"] + [f"page-{i}.html" for i in range(2, 7)]
    _scripted(monkeypatch, [
        {"action": "write_file", "path": "tests/test_shop_site.py", "content": "# tests removed\n"},
        *({"action": "replace_in_file", "path": p, "old": "<main>", "new": '<main><input type="search">'}
          for p in pages),
        {"action": "submit", "summary": "added search"},
    ])
    outcome = run_solve(str(SHOP), SuggestionSpec(title="Add a search box", rationale="t"),
                        matrix=[RunConfig(ModelSpec("openai", "m"), 0.0)], max_parallel=1, time_budget_s=60,
                        agent="tool", settings=settings)
    run = outcome.runs[0]
    # A bare <input type=search> with no script: markup that a user cannot search with.
    assert run.status == "completed" and run.goal_checks_passed is False
    assert run.tests_passed is False
    assert run.diagnostics["tests_changed"] == ["tests/test_shop_site.py"]
    assert outcome.champion_index is None and "no run qualifies" in outcome.champion_reason


def test_tests_that_ran_nothing_on_the_control_either_are_no_tests(unknown_shop, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    # The base itself has no test in its test folder (as a Django app's empty tests.py under the
    # detected `manage.py test`): exit 0 from "Ran 0 tests" is no evidence, so the run is judged as
    # for an app without tests, on its behavioural checks, not refused whatever it does.
    (unknown_shop / "tests" / "test_pages.py").write_text("import unittest\n")
    outcome = run_solve(str(unknown_shop), SuggestionSpec(title="Sort by price", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0)], max_parallel=1, time_budget_s=60, settings=settings)
    run = outcome.runs[0]
    assert run.status == "completed" and run.diagnostics["exit_code"] == 0
    assert run.tests_passed is None and run.no_tests and run.diagnostics["tests_ran"] == 0
    assert "on the control as well" in run.diagnostics["note"]
    assert outcome.champion_index == 0 and run.goal_checks_passed is True


def test_a_change_after_which_no_test_runs_does_not_pass() -> None:
    # The control ran its tests; after the change the runner finds none: no evidence, and no excuse.
    from types import SimpleNamespace

    from agents.code.outcome import RunOutcome
    from agents.code.runner import _test
    from agents.code.test_report import TestOutcomes
    from agents.sandbox.base import CommandResult

    sandbox = SimpleNamespace(
        app=SimpleNamespace(test="python3 -m unittest", env={}, test_report=None),
        run=lambda *a, **kw: CommandResult(0, "", "\nRan 0 tests in 0.000s\n\nOK\n", 1.0))
    for baseline in (TestOutcomes(True, ran=3), TestOutcomes(True), None):
        out = RunOutcome(index=0, config=RunConfig(RECIPE, 0.0))
        _test(sandbox, out, 10.0, baseline)  # type: ignore[arg-type]
        assert out.tests_passed is False and not out.no_tests, baseline
        assert out.diagnostics["note"] == "the test command exited 0 but ran no tests"


def test_an_app_without_tests_builds_on_its_behavioural_check(unknown_shop, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    # Most small public apps have no tests: no baseline to keep, so the behavioural check decides.
    (unknown_shop / "tests" / "test_pages.py").unlink()
    (unknown_shop / "tests").rmdir()
    (unknown_shop / "variantlab.toml").write_text('static_root = "."\n')
    outcome = run_solve(str(unknown_shop), SuggestionSpec(title="Sort by price", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0)], max_parallel=1, time_budget_s=60, settings=settings)
    run = outcome.runs[0]
    assert run.status == "completed" and run.tests_passed is None and run.no_tests
    assert run.goal_checks_passed is True and run.diagnostics["no_tests"] is True
    assert outcome.champion_index == 0
    assert "the app has no tests; chosen on its behavioural check" in outcome.champion_reason


def test_tests_that_could_not_start_are_not_an_app_without_tests(unknown_shop, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    (unknown_shop / "variantlab.toml").write_text('test = "no-such-test-runner --all"\nstatic_root = "."\n')
    outcome = run_solve(str(unknown_shop), SuggestionSpec(title="Sort by price", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0)], max_parallel=1, time_budget_s=60, settings=settings)
    run = outcome.runs[0]
    assert run.status == "completed" and run.tests_passed is None and not run.no_tests
    assert "could not start (exit 127)" in run.diagnostics["note"]
    assert outcome.champion_index is None and "no tests" not in outcome.champion_reason


def test_identical_diffs_are_marked_duplicates_and_count_once(settings: Settings) -> None:
    # Sort has two variants: every temperature above 0 builds variant 1, byte for byte.
    matrix = [RunConfig(RECIPE, 0.7), RunConfig(RECIPE, 1.0), RunConfig(RECIPE, 0.0)]
    outcome = run_solve(str(SHOP), SuggestionSpec(title="Sort by price", rationale="t"), matrix=matrix,
                        max_parallel=2, time_budget_s=120, settings=settings)
    first, again, base = outcome.runs
    assert [r.status for r in outcome.runs] == ["completed"] * 3 and all(r.tests_passed for r in outcome.runs)
    assert again.diff == first.diff != base.diff
    assert (first.duplicate_of, again.duplicate_of, base.duplicate_of) == (None, 0, None)
    assert again.diagnostics["duplicate_of"] == 0 and "same diff as run 0" in again.diagnostics["duplicate"]
    assert outcome.champion_index != 1  # a duplicate is never a candidate of its own
    if outcome.champion_index == 0:
        assert "run 1 built the same diff" in outcome.champion_reason


@pytest.mark.parametrize("error", ["SandboxAuthError", "IsolationUnavailable", "PathEscape"])
def test_errors_a_retry_cannot_fix_are_not_retried(monkeypatch: pytest.MonkeyPatch, error: str,
                                                   settings: Settings) -> None:
    from agents.sandbox import base, factory

    calls = []

    def broken(repo: str, ref: str | None = None, **kw):  # type: ignore[no-untyped-def]
        calls.append(repo)
        raise getattr(base, error)("injected: permanent")

    monkeypatch.setattr(factory, "open_sandbox", broken)
    outcome = run_solve(str(SHOP), SuggestionSpec(title="Sort by price", rationale="t"),
                        matrix=[RunConfig(RECIPE, 0.0)], max_parallel=1, time_budget_s=60, settings=settings)
    events = outcome.events
    # One for the baseline (the control's tests), one for the run: neither is tried again.
    assert len(calls) == 2 and len(outcome.runs) == 1
    assert outcome.runs[0].status == "failed" and error in outcome.runs[0].error_message
    assert EventKind.RUN_RETRY not in [e.kind for e in events]


def _processes(argv: list[bytes]) -> list[int]:
    import os

    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if handle.read().split(b"\0")[:-1] == argv:
                    found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


def test_time_budget_holds_against_a_long_command(monkeypatch: pytest.MonkeyPatch,
                                                  settings: Settings) -> None:
    import time

    from agents.code import solve

    _scripted(monkeypatch, [{"action": "run", "command": "sleep 30.25"}])
    started = time.monotonic()
    outcome = run_solve(str(SHOP), SuggestionSpec(title="Add a search box", rationale="t"),
                        matrix=[RunConfig(ModelSpec("openai", "m"), 0.0)], max_parallel=1, time_budget_s=2,
                        agent="tool", settings=settings)
    elapsed = time.monotonic() - started
    assert elapsed < 2 + solve.CANCEL_GRACE_S, elapsed
    assert outcome.runs[0].status in ("cancelled", "failed")
    assert outcome.champion_index is None
    assert not _processes([b"sleep", b"30.25"])
    assert not list((settings.resolved_data_dir / "sandboxes").glob("sbx_*"))


def test_cancelling_stops_a_command_and_destroys_its_sandbox(open_box: OpenSandbox) -> None:
    import threading
    import time

    from agents.code.solve import _OpenSandboxes

    sandboxes = _OpenSandboxes(open_box)
    sandbox = sandboxes.open(str(SHOP))
    results = []
    worker = threading.Thread(target=lambda: results.append(sandbox.run("sleep 30.5", timeout_s=120)))
    worker.start()
    deadline = time.monotonic() + 10
    while not _processes([b"sleep", b"30.5"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes([b"sleep", b"30.5"]), "the command did not start"
    sandboxes.stop_all()
    worker.join(timeout=5)
    assert not worker.is_alive() and not results[0].ok
    assert not _processes([b"sleep", b"30.5"])
    assert not sandbox.workdir.exists()
    later = sandboxes.open(str(SHOP))  # opened after the stop (a run that was still starting)
    assert not later.workdir.exists()


def test_a_change_outside_the_catalogue_is_refused_before_any_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    from agents.sandbox import factory

    def no_sandbox(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a sandbox was opened (and its app installed) for a change no recipe builds")

    monkeypatch.setattr(factory, "open_sandbox", no_sandbox)
    result = CliRunner().invoke(app, ["implement", "--repo", str(SHOP), "--suggestion", "Add a dark mode toggle"])
    assert result.exit_code == 2 and result.output.count("\n") == 1
