"""Replay: what the simulated users saw — each arm's first page side by side, and any session step by step."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, data
from dashboard.replay import session_replay, side_by_side
from dashboard.widgets import experiment_banner, pick_experiment

user = auth.signed_in()
auth.require(user, "analyst", "admin")
url = data.db_url()
experiment_id = pick_experiment(url)
if experiment_id is None:
    st.stop()
experiment_banner(data.header(url, experiment_id))

st.subheader("First page, side by side")
side_by_side(experiment_id)
st.subheader("Session replay")
session_replay(experiment_id)
