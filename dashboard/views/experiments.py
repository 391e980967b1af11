"""Experiments: every experiment with its status and stage progress, and a form to start a new one."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from agents.sandbox.appconfig import check_local_app
from agents.sandbox.base import SandboxError
from dashboard import auth, data
from dashboard.charts import ACCENT
from dashboard.widgets import badge
from db.experiments import create_experiment
from db.models.enums import STAGES
from db.session import session_scope
from db.stage_names import Stage
from db.validation import InvalidInput, validate_repo

# The main chain up to the champion; human evaluation_metrics keep coming afterwards.
PIPELINE_STAGES = STAGES[:STAGES.index(Stage.VARIANT_METRICS) + 1]

user = auth.signed_in()
auth.require(user, "analyst", "admin")
url = data.db_url()
st.title("Experiments")
st.caption("Each experiment measures the app as it is, builds one variant per AI suggestion and compares them.")


def _progress(stages: list[dict[str, Any]]) -> tuple[float, str]:
    """Share of pipeline stages done (a running stage counts by its progress) and what runs now."""
    done = 0.0
    now = ""
    for stage in stages:
        if stage["stage"] not in PIPELINE_STAGES:
            continue
        if stage["status"] == "completed":
            done += 1
        elif stage["status"] == "running":
            done += stage["progress"] / 100.0
            now = f"{stage['stage']} {stage['progress']}%"
        elif stage["status"] == "failed":
            now = f"{stage['stage']} failed"
    return 100.0 * done / len(PIPELINE_STAGES), now


def champion(row: dict[str, Any]) -> str:
    """The champion's key, or what the experiment concluded without one: never a blank cell."""
    if row["champion"]:
        return row["champion"]
    decided = any(s["stage"] == Stage.VARIANT_METRICS and s["status"] == "completed" for s in row["stages"])
    if decided:
        return "none, baseline kept"
    return "not decided: the run failed" if row["status"] == "failed" else "not decided yet"


def _table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    records = []
    for row in rows:
        progress, now = _progress(row["stages"])
        # Name, goal and outcome first: the columns a reader needs fit the page without scrolling.
        records.append({
            "name": row["name"], "goal": row["goal"], "champion": champion(row),
            "compare": f"comparison?exp={row['id']}", "status": row["status"], "progress": progress,
            "now": now or "", "workflow": row["workflow_status"], "variants": row["variants"],
            "created by": row["created_by"] or "system", "created": row["created_at"], "id": row["id"],
        })
    return pd.DataFrame.from_records(records)


def _listing() -> None:
    loaded = data.experiments(url)
    rows = loaded.rows
    statuses = [r["status"] for r in rows]
    cols = st.columns(4)
    cols[0].metric("Experiments", len(rows))
    cols[1].metric("Running", statuses.count("running"), help="experiments with a stage in progress")
    cols[2].metric("Completed", statuses.count("completed"))
    cols[3].metric("Failed", statuses.count("failed"), help="see System for the failed stage and how to re-run it")
    if not rows:
        st.info("No experiments yet: create one below.")
        return
    # Rows tall enough that the grid wraps a goal over three lines instead of cutting it off.
    st.dataframe(_table(rows), hide_index=True, width="stretch", row_height=72, column_config={
        "compare": st.column_config.LinkColumn("comparison", display_text="open →", width="small",
                                               help="the experiment's scorecard and variants"),
        # Blue, not the theme's red: a bar at 100 % is a finished pipeline, not an alarm.
        "progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=100, format="%.0f%%",
                                                    color=ACCENT, help="share of the pipeline's stages done"),
        "created": st.column_config.DatetimeColumn("created", format="YYYY-MM-DD HH:mm"),
        "champion": st.column_config.TextColumn("champion", help="the winning variant, once metrics are in"),
        "goal": st.column_config.TextColumn("goal", width="large"),
    })
    running = [r for r in rows if any(s["status"] == "running" for s in r["stages"])]
    for row in running[:5]:
        for stage in row["stages"]:
            if stage["status"] == "running":
                st.progress(stage["progress"] / 100.0, text=f"{row['name']} · {stage['stage']} {badge('running')}")
    if loaded.running:
        st.caption(f"Live: refreshing every 3 s while {loaded.running} stage(s) run.")


# Refresh on a timer only while something runs, so an idle dashboard costs nothing.
st.fragment(run_every=3 if data.experiments(url).running else None)(_listing)()

st.divider()
st.subheader("New experiment")
with st.form("create_experiment", clear_on_submit=False):
    repo = st.text_input("Repository", placeholder="https://github.com/owner/app or /path/to/examples/shop",
                         help="an https or ssh git URL, a local git repository, or a bundled example folder")
    goal = st.text_area("Goal", placeholder="Users can't find products easily",
                        help="the user problem to address, in one or two sentences")
    left, right = st.columns(2)
    branch = left.text_input("Branch (optional)")
    n = right.number_input("Suggestions", min_value=1, max_value=10, value=3,
                           help="how many UX changes to propose and build")
    submitted = st.form_submit_button("Create experiment", type="primary")
if submitted:
    try:
        try:
            check_local_app(validate_repo(repo))
        except SandboxError as exc:
            raise InvalidInput(str(exc)) from exc
        with session_scope(url) as s:
            created = create_experiment(s, repo=repo, goal=goal, branch=branch or None, num_suggestions=int(n),
                                        created_by_id=user["id"])
            new_id = created.id
    except InvalidInput as exc:
        st.error(str(exc))
    else:
        data.experiments.clear()
        data.experiment_choices.clear()
        st.success(f"Created {new_id}. The pipeline sensor picks it up; or run `variantlab run {new_id}`.")

st.caption(f"Stages: {' → '.join(STAGES)}")
