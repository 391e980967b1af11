"""The Replay view: each arm's first page side by side, and a session's steps with their thumbnails."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from db.models import BrowserSession, Variant
from db.session import session_scope
from ids import new_id
from settings import get_settings

ORIGIN = "http://127.0.0.1:40111"  # a preview port long gone: the replay shows paths


def _jpeg(stored: str, colour: tuple[int, int, int]) -> str:
    path = get_settings().artifacts_dir / stored
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 40), colour).save(path, "JPEG", quality=40)
    return stored


def _steps(experiment_id: str, session_id: str, shots: bool = True) -> list[dict[str, Any]]:
    folder = f"{experiment_id}/browser_results/{session_id}"

    def shot(name: str, colour: tuple[int, int, int]) -> dict[str, str]:
        return {"shot": _jpeg(f"{folder}/{name}.jpg", colour)} if shots else {}

    return [
        {"type": "start", "target": f"{ORIGIN}/", "url": f"{ORIGIN}/", "t_ms": 0.0, "ready_ms": 420.0,
         **shot("00-first-page", (255, 255, 255))},
        {"type": "click", "target": "Sign up", "url": f"{ORIGIN}/", "t_ms": 900.0},
        {"type": "fill", "target": "Email=a@example.com", "url": f"{ORIGIN}/signup", "t_ms": 1500.0},
        {"type": "submit", "target": "Create account", "url": f"{ORIGIN}/signup", "t_ms": 2100.0,
         **shot("01-submit", (0, 170, 0))},
        {"type": "end", "target": "success", "url": f"{ORIGIN}/welcome", "t_ms": 2600.0,
         **shot("02-success", (0, 170, 0))},
    ]


@pytest.fixture
def replayed(seeded: dict[str, Any]) -> dict[str, str]:
    """One photographed session on the control and on v1 (the same user and task, first in the panel)."""
    experiment_id = seeded["experiment_id"]
    ids = {}
    with session_scope(seeded["url"]) as s:
        variants = {v.key: v.id for v in s.scalars(select(Variant).where(Variant.experiment_id == experiment_id))}
        for key in ("control", "v1"):
            ids[key] = new_id("browser_session")
            s.add(BrowserSession(
                id=ids[key], experiment_id=experiment_id, variant_id=variants[key], browser_task_id=f"replay-{key}",
                task_prompt="Complete the sign-up form", persona="searcher", seed=1, panel_order=-1,
                status="completed", success=True, n_actions=3, duration_ms=2600.0,
                result={"success": True, "summary": "form accepted after 1 submit(s)"},
                action_log=_steps(experiment_id, ids[key]), stage="browser_results"))
        ids["bare"] = new_id("browser_session")  # screenshots were off for this one
        s.add(BrowserSession(
            id=ids["bare"], experiment_id=experiment_id, variant_id=variants["v2"], browser_task_id="replay-bare",
            task_prompt="Complete the sign-up form", persona="scanner", seed=1, panel_order=-1, status="completed",
            success=False, n_actions=3, duration_ms=2600.0, action_log=_steps(experiment_id, ids["bare"], False),
            stage="browser_results"))
    return ids


def _pick(at, session_id: str):  # type: ignore[no-untyped-def]
    next(box for box in at.selectbox if box.label == "Session").set_value(session_id).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_replay_shows_a_sessions_steps_with_thumbnails_at_the_steps_that_matter(open_view, replayed) -> None:
    at = _pick(open_view("replay", "analyst"), replayed["v1"])
    steps = at.dataframe[0].value
    assert list(steps["action"]) == ["start", "click", "fill", "submit", "end"]
    assert list(steps["page"]) == ["/", "/", "/signup", "/signup", "/welcome"]
    assert list(steps["outcome"]) == ["first page ready after 0.4 s", "→ /signup", "same page", "→ /welcome",
                                      "completed the task: form accepted after 1 submit(s)"]
    assert steps["target"][3] == "Create account"
    screens = list(steps["screen"])
    assert [isinstance(s, str) and s.startswith("data:image/jpeg;base64,") for s in screens] == [
        True, False, False, True, True]
    assert "**v1** · searcher completed the task in 2.6 s" in [m.value for m in at.markdown]


def test_side_by_side_shows_each_arms_first_page(open_view, replayed) -> None:
    at = open_view("replay", "analyst")
    assert not at.exception, [e.value for e in at.exception]
    captions = [caption for image in at.get("image") for caption in image.captions]
    # The arms with a photographed first page, the control first; v2's session had screenshots off.
    assert captions == ["control · /", "v1 · /"]


def test_a_session_without_screenshots_says_why(open_view, replayed) -> None:
    at = _pick(open_view("replay", "analyst"), replayed["bare"])
    steps = at.dataframe[0].value
    assert len(steps) == 5 and steps["screen"].isna().all()
    assert any("No screenshots recorded" in c.value for c in at.caption)
