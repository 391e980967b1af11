"""Evaluate (testers): the next version to try, embedded, with its questionnaire."""

from __future__ import annotations

from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from dashboard import auth, data
from dashboard.widgets import pick_playground
from db.evaluations import EvaluationRefused, next_arm, submit_evaluation
from db.rls import tester_session
from db.session import get_engine, session_scope
from db.users import PermissionDenied, get_user

user = auth.signed_in()
auth.require(user, "tester")
url = data.db_url()
st.title("Evaluate")
st.caption("Try the version shown below as if you were a customer, then answer a few questions. "
           "You will not be told which version you got, so your answers stay unbiased.")

playground = pick_playground(data.tester_playgrounds(url, user["id"]), key="tester_playground")
if playground is None:
    st.info("No evaluation is open to you right now.")
    st.stop()
if playground.description:
    st.markdown(playground.description)
if playground.support_text:
    st.caption(playground.support_text)

assignments: dict[str, str] = st.session_state.setdefault("assignments", {})


def _assign() -> str | None:
    """The arm this tester is on for this playground, kept until they submit (so a rerun never switches it)."""
    if playground.id in assignments:
        return assignments[playground.id]
    try:
        with session_scope(url) as s:
            person = get_user(s, user["id"])
        with tester_session(get_engine(url), person) as s:
            assignments[playground.id] = next_arm(s, playground.id, person).model_key
    except (EvaluationRefused, PermissionDenied) as exc:
        st.info(str(exc))
        return None
    return assignments[playground.id]


def _submit(model_key: str, answers: dict[str, Any], rating: int | None) -> None:
    try:
        with session_scope(url) as s:
            person = get_user(s, user["id"])
        with tester_session(get_engine(url), person) as s:
            submit_evaluation(s, playground.id, person, model_key, answers, rating)
    except (EvaluationRefused, PermissionDenied) as exc:
        st.session_state["evaluate_flash"] = ("error", str(exc))
        if getattr(exc, "kind", "") in ("full", "done"):
            assignments.pop(playground.id, None)
        return
    assignments.pop(playground.id, None)
    data.playground.clear()
    st.session_state["evaluate_flash"] = ("success", "Thank you — your evaluation is saved.")


flash = st.session_state.pop("evaluate_flash", None)
if flash:
    (st.error if flash[0] == "error" else st.success)(flash[1])
model_key = _assign()
if model_key is None:
    st.stop()
details = data.playground(url, playground.id)
arm = next(a for a in details.arms if a["model_key"] == model_key)
target = arm["embed_code"] or ""
# The pipeline's previews end with its stages, so an address may no longer answer; the command that
# serves every version for testers is the way back (in local mode the tester is the operator too).
serve = f"`variantlab sandbox serve --experiment {playground.experiment_id}`" if playground.experiment_id \
    else "`variantlab sandbox serve`"
if target.startswith(("http://", "https://")):
    st.link_button("Open this version in a new tab", target)
    components.iframe(target, height=560, scrolling=True)
    st.caption(f"Nothing shows? The preview has stopped; {serve} serves every version again.")
else:
    st.warning(f"This version has no preview address yet; {serve} serves every version.")

questions = [q for q in details.questions if q["model_key"] in (None, model_key)]
with st.form(f"questionnaire_{playground.id}", clear_on_submit=True):
    answers: dict[str, Any] = {}
    for q in questions:
        label = q["question_text"] + ("" if q["required"] else " (optional)")
        if q["question_type"] == "select":
            options = {o["value"]: o["label"] for o in q["options"] or []}
            answers[q["id"]] = st.radio(label, list(options), index=None, format_func=options.__getitem__,
                                        key=f"q_{q['id']}")
        else:
            answers[q["id"]] = st.text_area(label, key=f"q_{q['id']}")
    rating = st.radio("Overall, how good was this version? (1 = poor, 5 = excellent)", [1, 2, 3, 4, 5],
                      index=None, horizontal=True, key="rating")
    sent = st.form_submit_button("Submit evaluation", type="primary")
if sent:
    _submit(model_key, {k: v for k, v in answers.items() if v not in (None, "")}, rating)
    st.rerun()
