"""Champion selection on hand-made run tables."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from agents.code.champion import choose_champion, mark_duplicates


def run(status="completed", tests=True, goal=True, loc=10, tokens=100, latency=1000.0, checks=None,  # type: ignore[no-untyped-def]
        no_tests=False):
    return SimpleNamespace(status=status, tests_passed=tests, goal_checks_passed=goal, loc_changed=loc,
                           tokens=tokens, latency_ms=latency, goal_checks=checks or [], no_tests=no_tests)


def untested(**kw):  # type: ignore[no-untyped-def]
    """A run on an app with no test command (runner._test)."""
    return run(tests=None, no_tests=True, **kw)


@pytest.mark.parametrize(("runs", "winner", "reason_part"), [
    # Failing tests never win, however small the diff.
    ([run(tests=False, loc=1), run(loc=50)], 1, "tests kept"),
    # A failed or cancelled run never wins.
    ([run(status="failed", loc=1), run(status="cancelled", loc=1), run(loc=80)], 2, "the only qualifying run"),
    # A run that changed nothing is not an implementation, however green.
    ([run(loc=0), run(loc=120)], 1, "the only qualifying run"),
    # A run that failed its goal checks is never champion, however small its diff; one with no check of
    # its goal can be, but loses to one whose checks pass.
    ([run(goal=False, loc=5), run(goal=True, loc=90)], 1, "1 run that kept the tests but failed the goal checks"),
    ([run(goal=False, loc=5), run(goal=None, loc=90)], 1, "no goal checks, the only qualifying run"),
    ([run(goal=None, loc=5), run(goal=True, loc=90)], 1, "decided by the goal checks"),
    # Then the smaller diff.
    ([run(loc=41), run(loc=40), run(loc=60)], 1, "decided by the diff: smallest diff (40 lines)"),
    # Ties on diff go to fewer tokens; latency never decides: the earlier of equal runs stands.
    ([run(tokens=300), run(tokens=200), run(tokens=250)], 1, "fewest tokens (200)"),
    ([run(latency=900.0), run(latency=500.0)], 0, "the earlier in the matrix stands"),
    # Tests expected but unknown (they could not start, or the control's suite already failed without a
    # per-test report) cannot show the change did no harm.
    ([run(tests=None, loc=1), run(loc=9)], 1, "the only qualifying run"),
])
def test_champion(runs: list, winner: int, reason_part: str) -> None:
    index, reason = choose_champion(runs)
    assert index == winner
    assert reason_part in reason and "tests kept" in reason and "latency" not in reason


@pytest.mark.parametrize(("runs", "winner", "reason_part"), [
    # No test suite, no baseline to keep: the behavioural check decides, then the diff.
    ([untested(loc=30), untested(loc=12)], 1, "decided by the diff: smallest diff (12 lines)"),
    ([untested(goal=False, loc=3), untested(loc=40)], 1,
     "1 run that changed the app but failed the goal checks could not be champion"),
    # Without tests a run with no check of its goal has no evidence at all; a passing check wins.
    ([untested(goal=None, loc=2), untested(goal=True, loc=50)], 1, "the only qualifying run"),
])
def test_an_app_without_tests_is_judged_on_its_behavioural_check(runs: list, winner: int, reason_part: str) -> None:
    index, reason = choose_champion(runs)
    assert index == winner
    assert "the app has no tests; chosen on its behavioural check" in reason and reason_part in reason
    assert "tests kept" not in reason


@pytest.mark.parametrize(("runs", "reason_part"), [
    ([untested(goal=None), untested(goal=None, loc=3)], "the app has no tests and this change has no behavioural check"),
    ([untested(goal=False)], "the app has no tests and no run passed its behavioural check"),
    ([untested(loc=0)], "the app has no tests, and none made a change"),
])
def test_an_app_without_tests_needs_a_passing_behavioural_check(runs: list, reason_part: str) -> None:
    index, reason = choose_champion(runs)
    assert index is None and reason_part in reason


def test_tests_that_could_not_run_are_not_an_app_without_tests() -> None:
    # The app has a test command that did not start: its tests are unknown, not absent.
    index, reason = choose_champion([run(tests=None, goal=True, loc=5)])
    assert index is None and "none with the existing tests passing" in reason
    assert "no tests" not in reason.replace("existing tests", "")


@pytest.mark.parametrize("runs", [
    [],
    [run(tests=False), run(status="failed"), run(tests=None)],
    [run(status="cancelled")],
])
def test_no_qualifying_run(runs: list) -> None:
    index, reason = choose_champion(runs)
    assert index is None
    assert reason.startswith("no run qualifies")


def test_runs_that_all_stopped_give_their_own_reason_not_the_tests() -> None:
    # Seen on an unseen Svelte app: both runs stopped with "every field in the sources already has a
    # label", and the reason read "none with the existing tests passing and a change made".
    stopped = SimpleNamespace(**vars(run(status="failed", tests=None, goal=None, loc=0)),
                              error_message="input_labels: every field in the sources already has a label")
    index, reason = choose_champion([stopped, stopped])
    assert index is None and reason == ("no run qualifies: none of 2 completed: "
                                        "input_labels: every field in the sources already has a label")


def test_no_run_that_passed_its_behavioural_check_means_no_champion() -> None:
    seen = {"name": "behaviour:search", "passed": False,
            "detail": "type a word … — http://x/: typed 'pesto' but the listing did not narrow (0 shown)"}
    runs = [run(goal=False, loc=5, checks=[{"name": "parses:a.js", "passed": True, "detail": "ok"}, seen]),
            run(goal=False, loc=9, checks=[seen]), run(tests=False)]
    index, reason = choose_champion(runs)
    assert index is None
    # Which runs, which check, and what a user saw: the evidence, not the promise.
    assert reason.startswith("no run passed its behavioural check: run 0 (behaviour:search): http://x/: typed 'pesto'")
    assert "run 1 (behaviour:search)" in reason and "type a word" not in reason


def test_byte_identical_diffs_are_one_candidate_not_a_latency_race() -> None:
    runs = [SimpleNamespace(**vars(run(latency=lat)), index=i, diff=diff, diagnostics={}, duplicate_of=None)
            for i, (lat, diff) in enumerate([(900.0, "A"), (100.0, "A"), (500.0, "B"), (50.0, "A")])]
    runs[2].loc_changed = 11
    mark_duplicates(runs)
    assert [r.duplicate_of for r in runs] == [None, 0, None, 0]
    assert "same diff as run 0" in runs[1].diagnostics["duplicate"]
    index, reason = choose_champion(runs)
    assert index == 0  # not run 3, the same diff that merely finished sooner
    assert "latency" not in reason and "smallest diff (10 lines)" in reason
    assert "runs 1, 3 built the same diff" in reason


def test_failed_runs_are_never_marked_duplicates() -> None:
    runs = [SimpleNamespace(**vars(run(status=status)), index=i, diff="A", diagnostics={}, duplicate_of=None)
            for i, status in enumerate(["failed", "completed"])]
    mark_duplicates(runs)
    assert [r.duplicate_of for r in runs] == [None, None]
    assert choose_champion(runs)[0] == 1
