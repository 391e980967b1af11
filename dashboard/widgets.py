"""Small UI pieces shared by views: colour-coded statuses and the experiment picker."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from agents.sandbox.base import describe_plan
from dashboard import data

STATUS_COLOUR = {
    "pending": "gray", "queued": "gray", "proposed": "gray",
    "running": "blue", "implementing": "blue", "in_progress": "blue", "building": "blue", "retry": "orange",
    "beta": "violet", "in_review": "orange",
    "completed": "green", "verified": "green", "ready": "green", "pass": "green",
    "failed": "red", "error": "red", "cancelled": "red", "canceled": "red", "fail": "red", "warn": "orange",
}


def badge(status: str | None) -> str:
    """Markdown for a colour-coded status badge."""
    if not status:
        return ":gray-badge[—]"
    return f":{STATUS_COLOUR.get(status, 'gray')}-badge[{status.replace('_', ' ')}]"


def pick_experiment(url: str) -> str | None:
    """Sidebar picker shared by every per-experiment view (the choice follows you across pages)."""
    choices = data.experiment_choices(url)
    if not choices:
        st.info("No experiments yet. Create one on the Experiments page or with `variantlab experiment create`.")
        return None
    ids = [c["id"] for c in choices]
    names = {c["id"]: f"{c['name']} · {c['id']}" for c in choices}
    wanted = st.query_params.get("exp") or st.session_state.get("experiment_id")
    index = ids.index(wanted) if wanted in ids else 0
    chosen = st.sidebar.selectbox("Experiment", ids, index=index, format_func=names.__getitem__)
    st.session_state["experiment_id"] = chosen
    st.query_params["exp"] = chosen
    return chosen


def experiment_banner(header: dict[str, Any]) -> None:
    st.title(header["name"] or header["id"])
    st.caption(f"{header['id']} · {header['repo_url']} · goal: {header['goal']}")
    st.markdown(f"Run {badge(header['status'])} · Workflow {badge(header['workflow_status'])}")
    plan = header.get("bringup_plan")
    if plan:
        with st.expander(f"App brought up as {describe_plan(plan)}"):
            evidence = plan.get("evidence") or []
            if evidence:
                st.dataframe(pd.DataFrame(evidence), hide_index=True, width="stretch")
            else:
                st.caption("no evidence recorded")


def pick_playground(playgrounds: list[dict[str, Any]], key: str = "playground") -> dict[str, Any] | None:
    if not playgrounds:
        return None
    by_id = {p["id"]: p for p in playgrounds}
    chosen = st.selectbox("Playground", list(by_id), key=key,
                          format_func=lambda i: f"{by_id[i]['name']} ({by_id[i]['type'].replace('_', ' ')})"
                          + ("" if by_id[i]["is_active"] else " · inactive"))
    return by_id[chosen]
