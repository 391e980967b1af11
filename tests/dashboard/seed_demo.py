"""The two demo experiments as `variantlab demo` leaves them, with metrics from the real variant_metrics asset.

Sessions are written straight through the ORM (no sandbox, no browser), shaped like the demo's outcomes
that the analyst's review of issue #17 found hard to read:

- demo-shop: 16 sessions per arm, no variant significantly better, so no champion and the baseline kept;
  a guardrail at a zero control (console errors appear on one arm only).
- demo-signup: the control's form never lets anyone through (0 %), v1 lets everyone through, v2 changes
  nothing (both 0 %); nobody backtracks anywhere; the control's issues name a preview port long gone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.experiments import create_experiment
from db.models import BrowserSession, Suggestion, Variant
from db.session import session_scope
from settings import get_settings
from tests.dashboard.seed import png

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SESSIONS = 16
DEAD_PREVIEW = "http://127.0.0.1:41235"


@dataclass(frozen=True)
class Arm:
    key: str
    title: str | None  # the suggestion it implements; None for the control
    success: Callable[[int], bool]  # of session i
    actions: tuple[int, int]
    backtracks: tuple[int, int]
    console_errors: Callable[[int], int] = lambda i: 0
    issues: tuple[str, ...] = ()
    colour: tuple[int, int, int] = (200, 200, 200)


def _patch(path: str, added: list[str]) -> str:
    body = "".join(f"+{line}\n" for line in added)
    return (f"--- a/{path}\n+++ b/{path}\n@@ -12,6 +12,{6 + len(added)} @@\n   <main>\n"
            f"{body}     <section id=\"content\">\n")


SHOP = ("shop", "Users can't find products easily", (
    Arm("control", None, lambda i: i < 10, (10, 20), (0, 3), colour=(214, 96, 77),
        issues=((f"'find the desk lamp' failed in 6 sessions (hurried x3, thorough x3; seeds 1, 4, 9, ...) at "
                 f"{DEAD_PREVIEW}/page-4.html: gave up after paging through the listing"),)),
    Arm("v1", "Add a search box above the product list", lambda i: i < 12, (9, 19), (0, 3),
        colour=(77, 170, 110)),
    Arm("v2", "Add category filter buttons", lambda i: i < 11, (10, 20), (0, 3),
        console_errors=lambda i: 1 if i == 5 else 0, colour=(77, 120, 200)),
))
SIGNUP = ("signup", "Users abandon sign-up because the form is confusing", (
    Arm("control", None, lambda i: False, (12, 22), (0, 0), colour=(214, 96, 77),
        issues=((f"'sign up' failed in 16 sessions (hurried x6, thorough x5, novice x5; seeds 0, 1, 2, ...) at "
                 f"{DEAD_PREVIEW}/index.html: the form was still rejected"),
                "form error shown: Password must contain a symbol (16 session(s))")),
    Arm("v1", "Explain each field's rules before the user types", lambda i: True, (7, 11), (0, 0),
        colour=(77, 170, 110)),
    Arm("v2", "Mark the required fields", lambda i: False, (11, 21), (0, 0), colour=(77, 120, 200)),
))


def _experiment(url: str, app: str, goal: str, arms: tuple[Arm, ...]) -> str:
    shots = get_settings().artifacts_dir / "screens" / f"demo-{app}"
    rng = random.Random(app)
    with session_scope(url) as s:
        exp = create_experiment(s, repo=str(EXAMPLES / app), goal=goal, name=f"demo-{app}", num_suggestions=2)
        for rank, arm in enumerate(arms):
            suggestion = None
            if arm.title:
                suggestion = Suggestion(experiment_id=exp.id, rank=rank, title=arm.title, recipe=arm.key,
                                        rationale=f"The control's panel points at it: {goal.lower()}.")
                s.add(suggestion)
                s.flush()
            successes = [arm.success(i) for i in range(SESSIONS)]
            done = sum(successes)
            variant = Variant(
                experiment_id=exp.id, key=arm.key, type="experiment" if arm.title else "control",
                suggestion_id=suggestion.id if suggestion else None, suggestion=arm.title, deploy_status="ready",
                public_url=f"{DEAD_PREVIEW}/", source_run_id=None,
                patch=_patch("index.html", [f"<!-- {arm.title} -->", *(f"<p>line {n}</p>" for n in range(30))])
                if arm.title else None,
                analysis={"success": done * 2 >= SESSIONS,
                          "summary": f"{done}/{SESSIONS} sessions completed their task ({done / SESSIONS:.0%})",
                          "insights": [], "issues": list(arm.issues)})
            s.add(variant)
            s.flush()
            shot = png(shots / f"{arm.key}.png", arm.colour, size=(320, 200))
            for i, ok in enumerate(successes):
                s.add(BrowserSession(
                    experiment_id=exp.id, variant_id=variant.id, browser_task_id=f"bt_{app}_{arm.key}_{i}",
                    task_prompt=goal, persona=("hurried", "thorough", "novice")[i % 3], seed=i, status="completed",
                    success=ok, n_actions=rng.randint(*arm.actions), duration_ms=rng.uniform(3e3, 12e3),
                    backtracks=rng.randint(*arm.backtracks), console_errors=arm.console_errors(i),
                    a11y_violations=3, lcp_ms=rng.uniform(180.0, 420.0), screenshots=[shot], panel_order=i,
                    action_log=[{"type": "start", "target": f"{DEAD_PREVIEW}/", "url": f"{DEAD_PREVIEW}/",
                                 "t_ms": 0.0, "shot": shot}],
                    result={"success": ok, "summary": "", "insights": [], "issues": []}))
        exp.status, exp.workflow_status = "completed", "beta"
        return exp.id


def _measure(url: str, experiment_id: str) -> None:
    """The pipeline's own variant_metrics stage: the metrics, the champion and its reason, as the demo wrote them."""
    import dagster as dg

    from assets.variant_metrics import variant_metrics
    from pipelines.resources import AppDatabase, AppSettings

    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    variant_metrics(dg.build_asset_context(partition_key=experiment_id, instance=instance),
                    database=AppDatabase(url=url), settings=AppSettings())


def seed_demo(url: str) -> dict[str, Any]:
    """Write demo-shop and demo-signup into the (already seeded) database at `url`; return their ids."""
    ids = {}
    for app, goal, arms in (SHOP, SIGNUP):
        ids[app] = _experiment(url, app, goal, arms)
        _measure(url, ids[app])
    return ids
