"""Reads for session replays: a panel session's steps with their thumbnails, and each arm's first page.

A session's steps are its action log (agents/browser/actor.py): "start" (the first page), the user's
actions, "end"; the steps an analyst looks at carry `shot`, a thumbnail's path relative to
settings.artifacts_dir (agents/browser/shots.py). Row counts are bounded, as in db/queries.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from db.models import BrowserSession, TestFlow, Variant
from db.stage_names import Stage

Row = dict[str, Any]
MAX_CHOICES = 2000  # sessions offered for replay: a long panel's first ones (160 per arm × a dozen arms)
_FIRST_SHOT_LOOKAHEAD = 20  # sessions of an arm read to find one whose first page was photographed


def _arm_order() -> Any:
    return case((Variant.type == "control", 0), else_=1)


def replay_choices(session: Session, experiment_id: str) -> list[Row]:
    """The experiment's panel sessions, variant panel first, in the order the panel ran them."""
    query = (
        select(BrowserSession.id, BrowserSession.stage, BrowserSession.persona, BrowserSession.success,
               BrowserSession.n_actions, BrowserSession.panel_order, Variant.key.label("variant"),
               TestFlow.name.label("flow"))
        .join(Variant, Variant.id == BrowserSession.variant_id)
        .outerjoin(TestFlow, TestFlow.id == BrowserSession.flow_id)
        .where(BrowserSession.experiment_id == experiment_id)
        .order_by(case((BrowserSession.stage == Stage.BROWSER_RESULTS, 0), else_=1), BrowserSession.panel_order)
        .limit(MAX_CHOICES)
    )
    return [dict(row) for row in session.execute(query).mappings()]


def session_replay(session: Session, session_id: str) -> Row | None:
    """One session: who, what task, how it ended, and its steps as replay rows (see `replay_rows`)."""
    row = session.execute(
        select(BrowserSession.id, BrowserSession.stage, BrowserSession.persona, BrowserSession.task_prompt,
               BrowserSession.success, BrowserSession.result, BrowserSession.duration_ms,
               BrowserSession.action_log, Variant.key.label("variant"))
        .join(Variant, Variant.id == BrowserSession.variant_id)
        .where(BrowserSession.id == session_id)
    ).mappings().first()
    if row is None:
        return None
    summary = str((row["result"] or {}).get("summary") or "")
    return {**{k: row[k] for k in ("id", "stage", "persona", "task_prompt", "success", "duration_ms", "variant")},
            "summary": summary, "steps": replay_rows(row["action_log"] or [], bool(row["success"]), summary)}


def page_of(url: str) -> str:
    """A step's page as the analyst reads it: its path (the preview's host and port are long gone)."""
    parts = urlsplit(url)
    page = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # A hash-routed app's page is its fragment path (`#/cart`); a plain anchor is not another page.
    if parts.fragment.lstrip("!").startswith("/"):
        page += f"#{parts.fragment}"
    return page


def replay_rows(steps: list[Row], success: bool, summary: str) -> list[Row]:
    """Each step as action, target, page, outcome, time and thumbnail.

    The outcome of an action is where it left the user: another page, or the same one; the first page's
    is how long it took to be ready; the end's is the task's result in the panel's words.
    """
    rows = []
    for i, step in enumerate(steps):
        page = page_of(str(step.get("url") or ""))
        kind = str(step.get("type") or "")
        following = steps[i + 1] if i + 1 < len(steps) else None
        if kind == "end":
            outcome = ("completed the task" if success else "did not complete the task") + (
                f": {summary}" if summary else "")
        elif kind == "start":
            ready = step.get("ready_ms")
            outcome = f"first page ready after {ready / 1000:.1f} s" if isinstance(ready, int | float) else "first page"
        elif following is not None and page_of(str(following.get("url") or "")) != page:
            outcome = f"→ {page_of(str(following.get('url') or ''))}"
        else:
            outcome = "same page"
        rows.append({"step": i, "action": kind, "target": str(step.get("target") or ""), "page": page,
                     "outcome": outcome, "t_s": round(float(step.get("t_ms") or 0.0) / 1000, 2),
                     "shot": step.get("shot")})
    return rows


def landing_shots(session: Session, experiment_id: str) -> list[Row]:
    """Each arm's first page as its first photographed session saw it, the control first.

    The panel runs the same (flow, persona, seed) on every arm in turn, so each arm's first session is the
    same user on the same task: the thumbnails show the same page. The variant panel's sessions are
    preferred; an arm it never reached shows the control panel's.
    """
    arms = session.execute(
        select(Variant.id, Variant.key, Variant.type).where(Variant.experiment_id == experiment_id)
        .order_by(_arm_order(), Variant.key)
    ).all()
    found = []
    for variant_id, key, kind in arms:
        logs = session.execute(
            select(BrowserSession.id, BrowserSession.persona, BrowserSession.action_log)
            .where(BrowserSession.variant_id == variant_id)
            .order_by(case((BrowserSession.stage == Stage.BROWSER_RESULTS, 0), else_=1), BrowserSession.panel_order)
            .limit(_FIRST_SHOT_LOOKAHEAD)
        ).all()
        for session_id, persona, action_log in logs:
            first = next((s for s in action_log or [] if s.get("type") == "start" and s.get("shot")), None)
            if first is not None:
                found.append({"variant": key, "type": kind, "session_id": session_id, "persona": persona,
                              "page": page_of(str(first.get("url") or "")), "shot": first["shot"]})
                break
    return found
