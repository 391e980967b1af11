"""Evaluation results: what human testers said about each variant, and how the arms rank."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, charts, data
from dashboard.widgets import pick_experiment, pick_playground

user = auth.signed_in()
auth.require(user, "analyst", "admin")
url = data.db_url()
st.title("Human evaluation results")
experiment_id = pick_experiment(url)
if experiment_id is None:
    st.stop()
playground = pick_playground(data.playgrounds(url, experiment_id), key="results_playground")
if playground is None:
    st.info("No playground for this experiment yet (an admin sets one up under Playground setup).")
    st.stop()
results = data.evaluation_results(url, experiment_id, playground.id)

summary = results.summary
cols = st.columns(4)
cols[0].metric("Testers", summary["total_testers"])
cols[1].metric("Evaluations", summary["total_evaluations"], help="submitted questionnaires (one per tester and arm)")
cols[2].metric("Answers", summary["total_answers"])
avg = summary["avg_rating"]
cols[3].metric("Average rating", "—" if avg is None else f"{float(avg):.2f} / 5")

arms = [a["model_key"] for a in data.playground(url, playground.id).arms]
closed = "" if playground.is_active else " This playground is closed to testers: an admin opens it under Playground setup."
if not results.computed and results.ranked_playground is None:
    st.info("Ratings per arm and the ranking are not computed yet: materialise evaluation_metrics "
            f"(`variantlab run {experiment_id} --stage evaluation_metrics`), which computes them for the "
            "experiment's own playground.")
elif not results.computed:
    st.info("Ratings per arm and the ranking are computed for the experiment's own playground only (by "
            "evaluation_metrics); this playground has its counts and answers below, but no ranking.")
else:
    st.caption(f"Ratings per arm and the ranking as evaluation_metrics computed them at "
               f"{results.computed_at:%Y-%m-%d %H:%M} UTC; later evaluations count from its next run.")
left, right = st.columns(2)
with left:
    if results.ratings:
        st.plotly_chart(charts.interval_bars(results.ratings, value="mean", title="Rating per arm",
                                             axis_title="mean rating (1–5) with 95% interval", y_range=(0.5, 5.5)),
                        key="ratings")
        st.caption("Mean rating with its 95% t-interval; overlapping intervals mean the testers cannot tell the arms "
                   "apart yet.")
        unrated = [a for a in arms if a not in {r.arm for r in results.ratings}]
        if unrated:
            st.caption(f"No ratings yet for {', '.join(unrated)}.")
    elif results.computed:
        st.info("No ratings yet: each tester rates every arm from 1 to 5 on the Evaluate page, and the chart "
                "appears with the first ratings." + closed)
with right:
    if results.n_comparisons:
        st.plotly_chart(charts.interval_bars(results.ranking, value="strength",
                                             title="Bradley–Terry ranking", axis_title="strength (sums to 1)"),
                        key="ranking")
        st.caption(f"From {results.n_comparisons} head-to-head comparisons (a tester who rated two arms prefers "
                   "the higher-rated one); strength ≈ share of wins against an average arm, bootstrap 95% interval.")
    elif results.computed:
        st.info("No ranking yet: it needs testers who rated at least two arms differently (each such pair is "
                "one head-to-head comparison)." + closed)
if results.ranking:
    st.dataframe(pd.DataFrame.from_records([{
        "Rank": r.rank, "Arm": r.arm, "Strength": r.strength,
        "95% interval": f"{r.ci_low:.2f} – {r.ci_high:.2f}", "Wins": r.wins, "Comparisons": r.comparisons,
    } for r in results.ranking]), hide_index=True, width="stretch",
        column_config={"Strength": st.column_config.NumberColumn(format="%.2f")})

st.subheader("Answers")
questions = sorted({r["question_text"] for r in results.distribution})
if not questions:
    st.info("No answers to multiple-choice questions yet: they appear as testers submit their evaluations." + closed)
dist_cols = st.columns(2)
for i, question in enumerate(questions):
    dist_cols[i % 2].plotly_chart(charts.answer_distribution(results.distribution, question), key=f"dist_{i}")

st.subheader("Open responses")
if results.open_responses:
    st.dataframe(pd.DataFrame.from_records([{
        "Arm": r["model_key"], "Question": r["question_text"], "Answer": r["answer_text"], "When": r["created_at"],
    } for r in results.open_responses]), hide_index=True, width="stretch",
        column_config={"Answer": st.column_config.TextColumn("Answer", width="large"),
                       "When": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm")})
else:
    st.info("No open responses yet." + closed)
