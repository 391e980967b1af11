"""Choose the champion run of a solve, SWE-bench style: the tests decide first, then the goal (an app
without tests: the goal alone)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_DETAIL_CHARS = 200


def _label(run: Any, position: int) -> str:
    config = getattr(run, "config", None)
    model = getattr(getattr(config, "model", None), "label", None) if config else None
    return f"{model + ' ' if model else ''}run {getattr(run, 'index', position)}"


def mark_duplicates(runs: Sequence[Any]) -> None:
    """Mark each completed run whose diff is byte-identical to an earlier completed run's.

    The same diff built twice (two temperatures drawing the same markup, a cached model answer) is
    one piece of evidence, not two; the mark is kept on the run (and in its diagnostics, which are
    stored) so the matrix still shows that it ran.
    """
    first: dict[str, int] = {}
    for position, run in enumerate(runs):
        if run.status != "completed" or not run.diff:
            continue
        index = getattr(run, "index", position)
        if run.diff in first:
            run.duplicate_of = first[run.diff]
            run.diagnostics["duplicate_of"] = first[run.diff]
            run.diagnostics["duplicate"] = (f"the same diff as run {first[run.diff]}: "
                                            "counted once, with that run")
        else:
            first[run.diff] = index


def _failed_check(run: Any, position: int) -> str:
    """The first goal check a run failed, as '<run> (<check>): <what the user saw>'."""
    failed = next((c for c in getattr(run, "goal_checks", None) or [] if c.get("passed") is False), None)
    if failed is None:
        return f"{_label(run, position)}: its goal checks failed"
    # A behavioural check's detail is "<what was promised> — <what happened>": what happened is the evidence.
    seen = str(failed.get("detail", "")).split(" — ")[-1].strip()
    if len(seen) > _DETAIL_CHARS:
        seen = seen[: _DETAIL_CHARS - 1] + "…"
    return f"{_label(run, position)} ({failed.get('name', 'goal check')}): {seen}"


def _no_tests(run: Any) -> bool:
    """The app has no test command: there is no baseline to keep (tests that could not run are not this)."""
    return bool(getattr(run, "no_tests", False)) and run.tests_passed is None


def choose_champion(runs: Sequence[Any]) -> tuple[int | None, str]:
    """(position in runs of the champion, why). A champion must have kept the app's tests passing and
    must not have failed its goal checks: a change a user was shown not to be able to use is no
    implementation of the suggestion, however small its diff, so a solve without such a run has no
    champion (and the suggestion no variant).

    An app with no test command has no baseline to keep: its runs qualify on their behavioural (goal)
    checks, which must then have passed, since nothing else shows the change works. Tests that were
    expected but could not be run or judged (tests_passed None on an app with a test command) are no
    such case: that run does not qualify.

    Among the qualifying runs, evidence decides, in this order: goal checks that passed over a change
    with no check of its goal, then the smaller diff, then fewer tokens. Latency never decides between
    correct runs: runs equal on all of that are equally good, and the earlier one in the matrix stands.
    A duplicate (see mark_duplicates) is not a candidate of its own: its first run stands for it.
    """
    # A run that changed nothing cannot be the implementation of anything, however green its tests.
    tested = [i for i, r in enumerate(runs)
              if r.status == "completed" and (r.tests_passed is True or _no_tests(r)) and (r.loc_changed or 0) > 0
              and getattr(r, "duplicate_of", None) is None]
    untested = any(_no_tests(r) for r in runs if r.status == "completed")
    if not tested:
        completed = sum(1 for r in runs if r.status == "completed")
        errors = list(dict.fromkeys(e for r in runs if (e := getattr(r, "error_message", None))))
        if runs and not completed and errors:
            # Why they stopped is the reason ("every field already has a label"), not the tests.
            return None, f"no run qualifies: none of {len(runs)} completed: {'; '.join(errors[:2])[:300]}"
        kept = "the app has no tests, and none made a change" if untested else \
            "none with the existing tests passing and a change made"
        return None, f"no run qualifies: {completed} of {len(runs)} completed, {kept}"
    failing = [i for i in tested if runs[i].goal_checks_passed is False]
    # Without tests, a run with no check of its goal has no evidence at all: not that it works, nor
    # that it did no harm.
    unchecked = [i for i in tested if _no_tests(runs[i]) and runs[i].goal_checks_passed is None]
    qualified = [i for i in tested if i not in failing and i not in unchecked]
    if not qualified:
        return None, _none_qualified(runs, failing, untested)

    def key(i: int) -> tuple[bool, int, int, int]:
        r = runs[i]
        return (r.goal_checks_passed is not True, r.loc_changed, r.tokens, i)

    best = min(qualified, key=key)
    return best, _why_champion(runs, best, qualified, failing)


def _none_qualified(runs: Sequence[Any], failing: list[int], untested: bool) -> str:
    """Why a solve whose runs kept the tests (or had none to keep) still has no champion."""
    if failing:
        return (("the app has no tests and " if untested else "")
                + "no run passed its behavioural check: "
                + "; ".join(_failed_check(runs[i], i) for i in failing[:2])
                + (f"; and {len(failing) - 2} more" if len(failing) > 2 else ""))
    return ("no run qualifies: the app has no tests and this change has no behavioural check, "
            "so nothing shows that a run works or did no harm")


def _why_champion(runs: Sequence[Any], best: int, qualified: list[int], failing: list[int]) -> str:
    """The champion's reason: its evidence, what decided it over the other qualifying runs, which runs
    were excluded by their goal checks, and which built the same diff."""
    run = runs[best]
    goal = "goal checks pass" if run.goal_checks_passed is True else "no goal checks"
    others = [runs[i] for i in qualified if i != best]
    peers = [o for o in others if (o.goal_checks_passed is True) == (run.goal_checks_passed is True)]
    if not others:
        tie = "the only qualifying run"
    elif not peers:
        tie = f"decided by the goal checks: the only one of {len(qualified)} qualifying runs whose goal checks pass"
    elif all(o.loc_changed > run.loc_changed for o in peers):
        tie = f"decided by the diff: smallest diff ({run.loc_changed} lines)"
    elif all(o.loc_changed > run.loc_changed or o.tokens > run.tokens for o in peers):
        tie = f"decided by tokens: diff of {run.loc_changed} lines, fewest tokens ({run.tokens})"
    else:
        tie = (f"equal on the evidence (diff of {run.loc_changed} lines, {run.tokens} tokens) to another "
               "correct run: the earlier in the matrix stands")
    excluded = ""
    if failing:
        kept = "changed the app" if _no_tests(run) else "kept the tests"
        excluded = (f"; {len(failing)} run{'s' if len(failing) > 1 else ''} that {kept} but failed "
                    "the goal checks could not be champion")
    same = [getattr(r, "index", i) for i, r in enumerate(runs)
            if getattr(r, "duplicate_of", None) is not None and r.duplicate_of == getattr(run, "index", best)]
    also = ""
    if same:
        also = f" (run{'s' if len(same) > 1 else ''} {', '.join(map(str, same))} built the same diff)"
    if _no_tests(run):
        evidence = "the app has no tests; chosen on its behavioural check (goal checks pass)"
    else:
        evidence = f"tests kept, {goal}"
    return f"{_label(run, best)}: {evidence}, {tie}{excluded}{also}"
