"""System (seed 004): live sessions and browsers, flows executed, execution logs, and failed stages to re-run."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, charts, data
from dashboard.widgets import badge
from db.models.enums import LOG_LEVEL

user = auth.signed_in()
auth.require(user, "analyst", "admin")
url = data.db_url()
st.title("System")

choices = data.experiment_choices(url)
names = {c["id"]: f"{c['name']} · {c['id']}" for c in choices}
left, right = st.columns([2, 1])
levels = left.multiselect("Log levels", list(LOG_LEVEL), default=["info", "warning", "error"])
experiment = right.selectbox("Experiment", [None, *names], format_func=lambda i: "all" if i is None else names[i])
loaded = data.system(url, tuple(levels), experiment)

now = loaded["now"]
cols = st.columns(4)
cols[0].metric("Active test sessions", now["active_sessions"], help="panels running right now")
cols[1].metric("Active browsers", now["active_browsers"], help="simulated users with a browser open")
cols[2].metric("Flows executed", now["flows_executed"], help="test flows that ran to completion")
cols[3].metric("Browser sessions completed", now["sessions_completed"])

chart_left, chart_right = st.columns(2)
chart_left.plotly_chart(charts.system_series(loaded["series"]), key="system_series")
chart_right.plotly_chart(charts.log_levels(loaded["level_counts"]), key="log_levels")

st.subheader("Pipeline runs")
stage_runs = loaded["stage_runs"]
failed = [r for r in stage_runs if r["status"] == "failed"]
if failed:
    st.error(f"{len(failed)} failed stage run(s) among the latest {len(stage_runs)}. Re-materialising a stage is safe: "
             "it replaces what it wrote for that experiment, then runs what is downstream.")
    for run in failed[:10]:
        st.markdown(f"{badge('failed')} **{run['experiment']}** · `{run['stage']}` — {run['error_message'] or ''}")
        st.code(f"variantlab run {run['experiment_id']} --stage {run['stage']}", language="bash")
if stage_runs:
    st.dataframe(pd.DataFrame.from_records([{
        "experiment": r["experiment"], "stage": r["stage"], "status": r["status"], "progress": r["progress"],
        "dagster run": r["dagster_run_id"] or "", "started": r["started_at"], "completed": r["completed_at"],
        "error": r["error_message"] or "",
    } for r in stage_runs]), hide_index=True, width="stretch", column_config={
        "progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=100, format="%d%%")})
else:
    st.info("No pipeline runs yet.")

st.subheader("Execution logs")
logs = loaded["logs"]
st.caption(f"Newest first, up to 300 lines at levels: {', '.join(levels) or 'none'}.")
if logs:
    st.dataframe(pd.DataFrame.from_records(logs), hide_index=True, width="stretch", height=360)
else:
    st.info("No log lines at these levels.")
