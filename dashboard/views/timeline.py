"""Timeline and approvals: what happened, the executions, the workflow and feedback to the agent."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from agents.ship.refusals import ShipRefused
from dashboard import auth, charts, data, workflow
from dashboard.widgets import badge, experiment_banner, pick_experiment
from db import approvals
from db.experiments import UnknownExperiment
from db.models.enums import WORKFLOW_STATUS
from db.session import session_scope
from db.validation import InvalidInput
from settings import get_settings
from shipping.service import ship_change

user = auth.signed_in()
auth.require(user, "analyst", "admin")
url = data.db_url()
experiment_id = pick_experiment(url)
if experiment_id is None:
    st.stop()
header = data.header(url, experiment_id)
loaded = data.timeline(url, experiment_id)
experiment_banner(header)


def _act(action, *args) -> None:  # type: ignore[no-untyped-def]
    """Run one workflow write; the write itself checks the role, so refusals surface here as errors."""
    try:
        with session_scope(url) as s:
            action(s, *args)
    except (approvals.PermissionDenied, approvals.WorkflowError, InvalidInput, UnknownExperiment) as exc:
        st.session_state["flash"] = ("error", str(exc))
    else:
        st.session_state["flash"] = ("success", "Saved.")
        for loader in (data.header, data.timeline, data.experiments):
            loader.clear()


def _ship() -> None:
    """Open (or update) the approved champion's pull request, as `variantlab ship` does."""
    try:
        shipped = ship_change(experiment_id, get_settings().model_copy(update={"database_url": url}),
                              actor_id=user["id"])
    except (ShipRefused, approvals.PermissionDenied, InvalidInput) as exc:
        st.session_state["flash"] = ("error", str(exc))
    else:
        st.session_state["flash"] = ("success", f"Shipped {shipped.variant_key}: {shipped.published.url}")
        data.timeline.clear()


def _control(column: DeltaGenerator, label: str, control: workflow.Control, **kwargs: Any) -> None:
    """A workflow button; disabled, it says why right beneath it (a tooltip alone goes unseen)."""
    column.button(label, disabled=not control.enabled, help=control.why, **kwargs)
    if not control.enabled:
        column.caption(control.why)


st.subheader("Workflow")
current = header["workflow_status"]
st.markdown(" → ".join(badge(s) if s == current else f"~~{s}~~" if WORKFLOW_STATUS.index(s) <
                       WORKFLOW_STATUS.index(current) else s for s in WORKFLOW_STATUS))
st.caption("proposed → implementing → beta (variants measured) → in review (an analyst approved the champion) "
           "→ verified (an admin confirmed it is production-ready).")
if header["approved_by"]:
    st.caption(f"Approved by {header['approved_by']} at {header['approved_at']:%Y-%m-%d %H:%M}")
if header["verified_by"]:
    st.caption(f"Verified by {header['verified_by']} at {header['verified_at']:%Y-%m-%d %H:%M}")
left, middle, right = st.columns(3)
_control(left, "Approve champion", workflow.approve(header), type="primary", on_click=_act,
         args=(approvals.approve_champion, experiment_id, user["id"]))
_control(middle, "Open pull request", workflow.open_pull_request(header), on_click=_ship)
shipped = next((e for e in loaded.events if e["type"] == "ship_completed"), None)  # newest first
if shipped:
    st.caption(f"Shipped: {shipped['content']}")
_control(right, "Verify (admin)", workflow.verify(header, user["role"]), on_click=_act,
         args=(approvals.verify, experiment_id, user["id"]))
flash = st.session_state.pop("flash", None)
if flash:
    (st.error if flash[0] == "error" else st.success)(flash[1])

st.subheader("Executions")
st.caption("Code-agent runs with their phase, progress and retries (a retry points at the run it repeats).")
runs = loaded.runs
if runs:
    st.dataframe(pd.DataFrame.from_records([{
        "run": r["id"], "model": r["model"], "T": r["temperature"], "strategy": r["evolution"], "status": r["status"],
        "phase": r["phase"] or "", "progress": r["progress"], "retries": r["retry_count"],
        "retry of": r["parent_run_id"] or "", "started": r["started_at"], "completed": r["completed_at"],
    } for r in runs]), hide_index=True, width="stretch", column_config={
        "progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=100, format="%d%%")})
else:
    st.info("No code-agent runs yet.")

st.subheader("Events")
events = loaded.events
st.plotly_chart(charts.timeline_chart(events), key="timeline_chart")
types = sorted({e["type"] for e in events})
shown = st.multiselect("Event types", types, default=types)
for event in [e for e in events if e["type"] in shown][:100]:
    who = event["author"] or event["author_type"]
    progress = f" · {event['progress']}%" if event["progress"] is not None else ""
    st.markdown(f"`{event['created_at']:%Y-%m-%d %H:%M:%S}` {badge(event['status'])} **{event['type']}** "
                f"{event['title'] or ''}{progress} — _{who}_")
    if event["content"]:
        st.caption(event["content"][:500])

st.subheader("Feedback to the code agent")
st.caption("Feedback on a variant becomes a refinement run: the pipeline picks it up and re-implements the variant.")
candidates = {v["id"]: v["key"] for v in loaded.variants if v["type"] == "experiment"}
feedback = workflow.send_feedback(list(candidates.values()))
if not feedback.enabled:
    st.caption(feedback.why)
else:
    with st.form("feedback", clear_on_submit=True):
        variant_id = st.selectbox("Variant", list(candidates), format_func=candidates.__getitem__)
        content = st.text_area("What should change?")
        if st.form_submit_button("Send to code agent"):
            _act(approvals.send_feedback, experiment_id, variant_id, user["id"], content)
            st.rerun()
if loaded.feedback:
    st.dataframe(pd.DataFrame.from_records(loaded.feedback), hide_index=True, width="stretch")
