"""Solve runs: per suggestion, the model × temperature matrix of code-agent runs and its champion."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, charts, data
from dashboard.widgets import badge, experiment_banner, pick_experiment

HEATMAPS = (
    ("tests_passed", "Tests passed (1 = yes)"),
    ("loc_changed", "Lines changed"),
    ("tokens", "Tokens"),
    ("latency_ms", "Latency (ms)"),
)

user = auth.signed_in()
auth.require(user, "analyst", "admin")
url = data.db_url()
experiment_id = pick_experiment(url)
if experiment_id is None:
    st.stop()
experiment_banner(data.header(url, experiment_id))
loaded = data.solves(url, experiment_id)
st.caption("Every suggestion is implemented several times (model × temperature × strategy) in separate sandboxes; "
           "the champion run passes the tests and goal checks with the smallest change, then fewest tokens, "
           "then lowest latency.")


def _numeric(run: dict[str, Any]) -> dict[str, Any]:
    flags = {k: (None if run[k] is None else int(bool(run[k]))) for k in ("tests_passed",)}
    return {**run, **flags}


def _runs_table(runs: list[dict[str, Any]], champion_id: str | None) -> pd.DataFrame:
    return pd.DataFrame.from_records([{
        "champion": r["id"] == champion_id, "run": r["id"], "model": r["model"], "T": r["temperature"],
        "strategy": r["evolution"], "status": r["status"], "tests": r["tests_passed"],
        "goal checks": r["goal_checks_passed"], "lines": r["loc_changed"], "files": r["files_changed"],
        "tokens": r["tokens"], "latency ms": r["latency_ms"], "retries": r["retry_count"],
        "error": r["error_message"] or "",
    } for r in runs])


def _run_detail(run: dict[str, Any]) -> None:
    st.markdown(f"**{run['model']} · T={run['temperature']:g} · {run['evolution']}** {badge(run['status'])}")
    if run["implementation_summary"]:
        st.caption(run["implementation_summary"])
    if run["error_message"]:
        st.error(run["error_message"])
    trajectory = run["trajectory_data"] or {}
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Trajectory** — {trajectory.get('total_steps', 0)} steps, "
                    f"exit: {trajectory.get('exit_status', '—')}")
        steps = trajectory.get("steps") or []
        if steps:
            st.dataframe(pd.DataFrame.from_records(steps), hide_index=True, width="stretch", height=240)
    with right:
        diagnostics = run["diagnostics"] or {}
        st.markdown("**Diagnostics**")
        st.code(diagnostics.get("command") or "—", language="bash")
        if diagnostics.get("baseline"):
            # Against the control's own tests: which still pass, which were already failing there.
            st.caption(f"Baseline tests: {diagnostics['baseline']}")
        if diagnostics.get("stdout_tail"):
            st.code(diagnostics["stdout_tail"][-2000:], language="text")
        if diagnostics.get("stderr_tail"):
            st.code(diagnostics["stderr_tail"][-2000:], language="text")
    if run["diff"]:
        with st.expander("Diff"):
            st.code(run["diff"][:20_000], language="diff")


if not loaded.solves:
    st.info("No solves yet: they start when the variant_implementations stage runs.")
for solve in loaded.solves:
    runs = [r for r in loaded.runs if r["solve_id"] == solve["id"]]
    st.divider()
    st.subheader(f"#{solve['rank']} {solve['suggestion']}")
    st.markdown(f"{badge(solve['status'])} · {len(runs)} runs · agent `{solve['agent']}` · "
                f"max parallel {solve['max_parallel'] or '—'} · budget {solve['time_budget_s'] or '—'} s")
    champion = next((r for r in runs if r["id"] == solve["champion_run_id"]), None)
    if champion:
        st.success(f"**Champion run {champion['model']} · T={champion['temperature']:g}** — {solve['champion_reason']}")
    else:
        st.warning(f"No champion run: {solve['champion_reason'] or solve['error_message'] or 'not decided yet'}")
    cols = st.columns(4)
    for col, (field, title) in zip(cols, HEATMAPS):
        col.plotly_chart(charts.solve_heatmap([_numeric(r) for r in runs], field, title),
                         key=f"{solve['id']}_{field}")
    st.dataframe(_runs_table(runs, solve["champion_run_id"]), hide_index=True, width="stretch")
    if runs:
        labels = {r["id"]: f"{r['model']} · T={r['temperature']:g} · {r['evolution']} · {r['status']}" for r in runs}
        default = runs.index(champion) if champion else 0
        chosen = st.selectbox("Inspect run", list(labels), index=default, format_func=labels.__getitem__,
                              key=f"inspect_{solve['id']}")
        _run_detail(next(r for r in runs if r["id"] == chosen))
