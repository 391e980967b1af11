"""The variantlab dashboard: a router over the views in dashboard/views/ (run: `variantlab dashboard`)."""

import streamlit as st

st.set_page_config(page_title="variantlab", page_icon="🧪", layout="wide")
st.navigation({
    "Experiments": [
        st.Page("views/experiments.py", title="Experiments", icon="🧪", default=True),
        st.Page("views/comparison.py", title="Comparison", icon="⚖️"),
        st.Page("views/solves.py", title="Solve runs", icon="🛠️"),
        st.Page("views/timeline.py", title="Timeline & approvals", icon="🕒"),
    ],
    "Human evaluation": [
        st.Page("views/evaluate.py", title="Evaluate", icon="🙋"),
        st.Page("views/playground_setup.py", title="Playground setup", icon="⚙️"),
        st.Page("views/evaluation_results.py", title="Evaluation results", icon="📊"),
    ],
    "Operations": [
        st.Page("views/system.py", title="System", icon="🖥️"),
    ],
}).run()
