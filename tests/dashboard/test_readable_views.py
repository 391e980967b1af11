"""Issue #17 item 7: Experiments, Playground setup and Evaluation results say things in words."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import delete

from dashboard.charts import ACCENT
from dashboard.widgets import describe_change
from db.evaluations import arms_for_experiment, create_playground
from db.models import StatisticsRun
from db.session import session_scope


def _experiments_table(at) -> tuple[pd.DataFrame, Any]:  # type: ignore[no-untyped-def]
    (table,) = at.dataframe
    return table.value, table.proto


def test_experiments_name_a_champion_or_what_happened_instead(open_view, seeded, demo) -> None:
    at = open_view("experiments", "analyst")
    assert not at.exception, [e.value for e in at.exception]
    table, _ = _experiments_table(at)
    champions = dict(zip(table["name"], table["champion"]))
    assert champions == {"shop-find": "v1", "shop-checkout": "not decided: the run failed",
                         "demo-shop": "none, baseline kept", "demo-signup": "v1"}
    assert not table.drop(columns="created").isna().any().any()  # no cell reads "None"


def test_every_experiment_row_links_to_its_comparison(open_view, seeded) -> None:
    table, proto = _experiments_table(open_view("experiments", "analyst"))
    links = dict(zip(table["id"], table["compare"]))
    assert links[seeded["experiment_id"]] == f"comparison?exp={seeded['experiment_id']}"
    config = json.loads(proto.columns)
    assert config["compare"]["type_config"] == {"type": "link", "display_text": "open →"}
    assert list(table.columns[:4]) == ["name", "goal", "champion", "compare"]  # what a reader needs, unscrolled


def test_progress_is_not_red_and_goals_wrap(open_view) -> None:
    _, proto = _experiments_table(open_view("experiments", "analyst"))
    config = json.loads(proto.columns)
    assert config["progress"]["type_config"]["color"] == ACCENT
    # The grid wraps text only in rows taller than 4rem (64 px); the goal column is the wide one.
    assert proto.row_height > 64 and config["goal"]["width"] == "large"


def test_playground_setup_shows_questions_and_audit_in_words(open_view) -> None:
    at = open_view("playground_setup", "admin")
    assert not at.exception, [e.value for e in at.exception]
    questions, audit = at.dataframe[0].value, at.dataframe[1].value
    assert list(questions.columns) == ["#", "Question", "Answer", "Required", "Asked about"]
    assert questions.iloc[0].tolist() == [1, "Could you find the product you wanted?",
                                          "multiple choice: Yes / Partly / No", "yes", "every arm"]
    assert questions.iloc[1]["Answer"] == "free text" and questions.iloc[1]["Required"] == "no"
    assert list(audit.columns) == ["When", "Who", "What", "Change"]
    created = audit[audit["What"] == "created the playground"].iloc[0]
    assert created["Who"] == "admin@example.com"
    assert created["Change"] == ("“Shop: which version?”, A/B test: each tester tries every arm once; arms control, "
                                 "v1, v2 (cap 5 each); 2 question(s)")
    assert not audit["Change"].str.contains("{", regex=False).any()
    assert [r.options for r in at.radio if r.label == "Type"] == [
        ["A/B test: each tester tries every arm once", "Tuning: one arm, asked repeatedly"],
        ["Multiple choice", "Free text"]]


def test_describe_change_for_each_audited_action() -> None:
    assert describe_change("arm.set_cap", {"model_key": "v1", "max_evaluations": 50},
                           {"model_key": "v1", "max_evaluations": 80}) == "cap of v1: 50 → 80 evaluations"
    assert describe_change("playground.update", {"is_active": True, "restricted_emails": None},
                           {"is_active": False, "restricted_emails": ["a@x.org", "b@x.org"]}) == (
        "open to testers: yes → no; access list: every signed-in tester → a@x.org, b@x.org")
    assert describe_change("question.create", None, {"question_text": "Why?", "question_type": "input_string"}) \
        == "“Why?” (free text)"
    assert describe_change("playground.update", {"name": "a"}, {"name": "a"}) == "no change recorded"


def test_evaluation_results_keep_every_rated_arm_and_explain_gaps(open_view) -> None:
    at = open_view("evaluation_results", "analyst")
    assert not at.exception, [e.value for e in at.exception]
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    ratings = next(c for c in charts if c["layout"]["title"]["text"] == "Rating per arm")
    # v2 has a single rating: drawn, with the reason it has no interval (it used to vanish).
    assert list(ratings["data"][0]["x"]) == ["control", "v1", "v2<br>a single observation: no interval yet"]
    ranking = at.dataframe[0].value
    assert list(ranking.columns) == ["Rank", "Arm", "Strength", "95% interval", "Wins", "Comparisons"]


def test_evaluation_results_without_data_say_what_to_do(open_view, seeded: dict[str, Any]) -> None:
    with session_scope(seeded["url"]) as s:  # the newest playground is the one the page opens on
        create_playground(s, experiment_id=seeded["experiment_id"], name="Fresh", type="ab_testing",
                          created_by=seeded["users"]["admin"], arms=arms_for_experiment(s, seeded["experiment_id"], 5),
                          questions=[], restricted_emails=None)
    st.cache_data.clear()
    at = open_view("evaluation_results", "analyst")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("plotly_chart")  # no blank charts
    infos = [i.value for i in at.info]
    # Ratings and the ranking are the stage's numbers, stored for the experiment's own playground only.
    assert infos[0].startswith("Ratings per arm and the ranking are computed for the experiment's own playground only")
    assert not any(i.startswith(("No ratings yet", "No ranking yet")) for i in infos)


def test_evaluation_results_before_evaluation_metrics_ran_name_the_stage(open_view, seeded: dict[str, Any]) -> None:
    with session_scope(seeded["url"]) as s:  # as on a database from before the numbers were stored
        s.execute(delete(StatisticsRun).where(StatisticsRun.source == "human"))
    st.cache_data.clear()
    at = open_view("evaluation_results", "analyst")
    assert not at.exception, [e.value for e in at.exception]
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert not {"Rating per arm", "Bradley–Terry ranking"} & set(titles)  # not recomputed on the page
    assert len(at.dataframe) == 1  # the open responses; no ranking table
    assert at.info[0].value.startswith("Ratings per arm and the ranking are not computed yet: materialise "
                                       "evaluation_metrics (`variantlab run ")


def test_evaluation_results_show_the_stored_ranking(open_view, seeded: dict[str, Any]) -> None:
    from analysis.bradley_terry import ArmStrength, BradleyTerryResult
    from db.stored_statistics import human_statistics, store_human_statistics

    with session_scope(seeded["url"]) as s:  # a ranking the page could not have computed from the evaluations
        stored = human_statistics(s, seeded["experiment_id"])
        ranking = BradleyTerryResult(arms=(ArmStrength("v2", 0.7, 0.6, 0.8, 1, 9.0, 10),
                                           ArmStrength("control", 0.3, 0.2, 0.4, 2, 1.0, 10)), n_comparisons=10,
                                     n_bootstrap=500)
        store_human_statistics(s, seeded["experiment_id"], seeded["playground_id"], stored.arms, ranking)
    st.cache_data.clear()
    at = open_view("evaluation_results", "analyst")
    table = at.dataframe[0].value
    assert list(table["Arm"]) == ["v2", "control"] and list(table["95% interval"]) == ["0.60 – 0.80", "0.20 – 0.40"]


def test_playground_caps_read_as_progress_not_as_an_error(open_view) -> None:
    at = open_view("playground_setup", "admin")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("progress")  # st.progress takes the theme's red
    bars = [h.value for h in at.html if 'role="progressbar"' in h.value]
    assert len(bars) == 3 and all(f"background:{ACCENT}" in b for b in bars)  # one per arm
    # The seeded control has 2 of its 5 evaluations: the bar is 40 % full.
    assert any('aria-valuenow="2" aria-valuemin="0" aria-valuemax="5"' in b and "width:40.0%" in b for b in bars)
