"""System: live sessions and browsers, flows executed, execution logs, and failed stages to re-run."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, charts, data, system_charts
from dashboard.widgets import badge
from db.base import utcnow
from db.links import dagster_run
from db.models.enums import LOG_LEVEL
from settings import get_settings

ALL = ""  # the "all experiments" choice; no experiment id is empty

user = auth.signed_in()
auth.require(user, "analyst", "admin")
url = data.db_url()
st.title("System")

choices = data.experiment_choices(url)
names = {c["id"]: f"{c['name']} · {c['id']}" for c in choices}
# The page follows the experiment chosen on the other pages (and in a shared ?exp= link); "all"
# stays a choice, without changing what the other pages show.
followed = st.query_params.get("exp") or st.session_state.get("experiment_id")
options = [ALL, *names]
left, right = st.columns([2, 1])
levels = left.multiselect("Log levels", list(LOG_LEVEL), default=["info", "warning", "error"])
chosen = right.selectbox("Experiment", options, index=options.index(followed) if followed in names else 0,
                         format_func=lambda i: "all" if i == ALL else names[i])
experiment = None if chosen == ALL else chosen
if experiment is not None:
    st.session_state["experiment_id"] = experiment
    st.query_params["exp"] = experiment
loaded = data.system(url, tuple(levels), experiment)
settings = get_settings()

now = loaded.now
cols = st.columns(4)
cols[0].metric("Active test sessions", now.active_sessions, help="panels running right now")
cols[1].metric("Active browsers", now.active_browsers, help="simulated users with a browser open")
cols[2].metric("Flows executed", now.flows_executed, help="test flows that ran to completion")
cols[3].metric("Browser sessions completed", now.sessions_completed)

stage_runs = loaded.stage_runs
chart_left, chart_right = st.columns(2)
chart_left.plotly_chart(system_charts.stage_activity(stage_runs, utcnow()), key="stage_activity")
chart_right.plotly_chart(charts.log_levels(loaded.level_counts), key="log_levels")

st.subheader("Pipeline runs")
failed = [r for r in stage_runs if r["status"] == "failed"]
if failed:
    st.error(f"{len(failed)} failed stage run(s) among the latest {len(stage_runs)}. Re-materialising a stage is safe: "
             "it replaces what it wrote for that experiment, then runs what is downstream.")
    for run in failed[:10]:
        st.markdown(f"{badge('failed')} **{run['experiment']}** · `{run['stage']}` — {run['error_message'] or ''}")
        st.code(f"variantlab run {run['experiment_id']} --stage {run['stage']}", language="bash")
if stage_runs:
    st.caption(f"Each run opens in the Dagster UI at {settings.dagster_url} (`VARIANTLAB_DAGSTER_URL`).")
    st.dataframe(pd.DataFrame.from_records([{
        "experiment": r["experiment"], "stage": r["stage"], "status": r["status"], "progress": r["progress"],
        "dagster run": dagster_run(settings.dagster_url, r["dagster_run_id"]) if r["dagster_run_id"] else None,
        "started": r["started_at"], "completed": r["completed_at"], "error": r["error_message"] or "",
    } for r in stage_runs]), hide_index=True, width="stretch", column_config={
        "progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=100, format="%d%%"),
        # The link shows the run id's first block, as Dagster's own run list does.
        "dagster run": st.column_config.LinkColumn("dagster run", display_text=r"/runs/([^-/]+)")})
else:
    st.info("No pipeline runs yet.")

st.subheader("Execution logs")
logs = loaded.logs
st.caption(f"Newest first, up to 300 lines at levels: {', '.join(levels) or 'none'}.")
if logs:
    st.dataframe(pd.DataFrame.from_records(logs), hide_index=True, width="stretch", height=360)
else:
    st.info("No log lines at these levels.")
