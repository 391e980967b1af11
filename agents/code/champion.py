"""Choose the champion run of a solve, SWE-bench style: the tests decide first, then the goal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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


def choose_champion(runs: Sequence[Any]) -> tuple[int | None, str]:
    """(position in runs of the champion, why). Only completed runs whose tests pass qualify.

    Among those, evidence decides, in this order: the behavioural goal checks passed, then the
    smaller diff, then fewer tokens. Latency never decides between correct runs: runs equal on all
    of that are equally good, and the earlier one in the matrix stands. A run whose repo has no tests
    (tests_passed None) cannot show it did no harm: it does not qualify. A duplicate (see
    mark_duplicates) is not a candidate of its own: its first run stands for it.
    """
    # A run that changed nothing cannot be the implementation of anything, however green its tests.
    qualified = [i for i, r in enumerate(runs)
                 if r.status == "completed" and r.tests_passed is True and (r.loc_changed or 0) > 0
                 and getattr(r, "duplicate_of", None) is None]
    if not qualified:
        completed = sum(1 for r in runs if r.status == "completed")
        return None, (f"no run qualifies: {completed} of {len(runs)} completed, "
                      "none with the existing tests passing and a change made")

    def key(i: int) -> tuple:
        r = runs[i]
        return (r.goal_checks_passed is not True, r.loc_changed, r.tokens, i)

    best = min(qualified, key=key)
    run = runs[best]
    goal = {True: "goal checks pass", False: "goal checks fail", None: "no goal checks"}[run.goal_checks_passed]
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
    same = [getattr(r, "index", i) for i, r in enumerate(runs)
            if getattr(r, "duplicate_of", None) is not None and r.duplicate_of == getattr(run, "index", best)]
    also = ""
    if same:
        also = f" (run{'s' if len(same) > 1 else ''} {', '.join(map(str, same))} built the same diff)"
    return best, f"{_label(run, best)}: tests pass, {goal}, {tie}{also}"
