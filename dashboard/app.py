"""The variantlab dashboard: a router over the views in dashboard/views/ (run: `variantlab dashboard`)."""

import streamlit as st

st.set_page_config(page_title="variantlab", page_icon=":material/science:", layout="wide")
st.navigation({
    "Experiments": [
        st.Page("views/experiments.py", title="Experiments", icon=":material/science:", default=True),
        st.Page("views/comparison.py", title="Comparison", icon=":material/compare:"),
        st.Page("views/replay.py", title="Replay", icon=":material/slideshow:"),
        st.Page("views/solves.py", title="Solve runs", icon=":material/construction:"),
        st.Page("views/timeline.py", title="Timeline & approvals", icon=":material/timeline:"),
    ],
    "Human evaluation": [
        st.Page("views/evaluate.py", title="Evaluate", icon=":material/rate_review:"),
        st.Page("views/playground_setup.py", title="Playground setup", icon=":material/settings:"),
        st.Page("views/evaluation_results.py", title="Evaluation results", icon=":material/bar_chart:"),
    ],
    "Operations": [
        st.Page("views/system.py", title="System", icon=":material/monitor_heart:"),
    ],
}).run()
