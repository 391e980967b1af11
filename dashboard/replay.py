"""Look rather than read: each arm's first page side by side, and a panel session replayed step by step.

Not a page itself: the Replay view and the Comparison view both call these (a view module runs as a page
when imported).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.loaded import SessionReplay
from db import replay
from db.session import session_scope
from db.stage_names import Stage

TTL_S = 5
SHOTS_OFF = ("No screenshots recorded for this experiment yet: they are taken by the simulated-user panel "
             "(unless `VARIANTLAB_BROWSER__SCREENSHOTS=false`).")


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _landing(url: str, experiment_id: str) -> list[dict[str, Any]]:
    with session_scope(url) as s:
        return replay.landing_shots(s, experiment_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _choices(url: str, experiment_id: str) -> list[dict[str, Any]]:
    with session_scope(url) as s:
        return replay.replay_choices(s, experiment_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def _session(url: str, session_id: str) -> SessionReplay | None:
    with session_scope(url) as s:
        row = replay.session_replay(s, session_id)
    return None if row is None else SessionReplay(**row)


def _file(stored: str | None) -> str | None:
    """The thumbnail's file, if it is still there and inside the artifacts dir."""
    found = data.existing_screenshots([stored]) if stored else []
    return found[0] if found else None


def _data_uri(path: str | None) -> str | None:
    # A table cell shows an image only from a URL: the thumbnail inline (about 15 KB).
    return None if path is None else "data:image/jpeg;base64," + base64.b64encode(Path(path).read_bytes()).decode()


def side_by_side(experiment_id: str) -> None:
    """The control's and each variant's first page, next to each other: the same user on the same task."""
    shots = [(arm, _file(arm["shot"])) for arm in _landing(data.db_url(), experiment_id)]
    shots = [(arm, path) for arm, path in shots if path is not None]
    if not shots:
        st.caption(SHOTS_OFF)
        return
    for column, (arm, path) in zip(st.columns(len(shots)), shots, strict=True):
        column.image(path, caption=f"{arm['variant']} · {arm['page']}", width="stretch")


def _label(choice: dict[str, Any]) -> str:
    ok = "✓" if choice["success"] else "✗"
    stage = "" if choice["stage"] == Stage.BROWSER_RESULTS else " (control panel)"
    return (f"#{choice['panel_order']} {choice['variant']} · {choice['flow'] or 'flow'} · {choice['persona']} · "
            f"{ok} {choice['n_actions']} actions{stage}")


def session_replay(experiment_id: str) -> None:
    """Pick a session; its steps (action, target, page, outcome) with a thumbnail where one was taken."""
    url = data.db_url()
    choices = _choices(url, experiment_id)
    if not choices:
        st.info("No panel sessions for this experiment yet.")
        return
    by_id = {c["id"]: c for c in choices}
    wanted = st.query_params.get("session")
    chosen = st.selectbox("Session", list(by_id), index=list(by_id).index(wanted) if wanted in by_id else 0,
                          format_func=lambda i: _label(by_id[i]))
    st.query_params["session"] = chosen
    shown = _session(url, chosen)
    if shown is None:  # replaced by a re-run between the pick and the read
        st.warning("This session was replaced by a newer panel; pick another.")
        return
    verdict = "completed the task" if shown.success else "did not complete the task"
    st.markdown(f"**{shown.variant}** · {shown.persona} {verdict} in {shown.duration_ms / 1000:.1f} s")
    st.caption(f"Task: {shown.task_prompt}" + (f" — {shown.summary}" if shown.summary else ""))
    steps = pd.DataFrame.from_records([{**{k: row[k] for k in ("step", "action", "target", "page", "outcome", "t_s")},
                                        "screen": _data_uri(_file(row["shot"]))} for row in shown.steps])
    if steps.empty:
        st.caption("This session recorded no steps.")
        return
    st.dataframe(steps, hide_index=True, width="stretch", row_height=90, column_config={
        "step": st.column_config.NumberColumn("#", width="small"),
        "t_s": st.column_config.NumberColumn("at (s)", format="%.1f", width="small"),
        "screen": st.column_config.ImageColumn("screen", width="medium"),
    })
    if steps["screen"].isna().all():
        st.caption(SHOTS_OFF if not any(row["shot"] for row in shown.steps)
                   else "This session's screenshots are gone (its panel was re-run).")
