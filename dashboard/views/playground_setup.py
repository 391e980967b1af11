"""Playground setup (admins): arms from the experiment's variants, caps, questions, access; all audited."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.widgets import (
    AUDIT_ACTIONS,
    PLAYGROUND_TYPES,
    QUESTION_TYPES,
    cap_bar,
    describe_change,
    pick_experiment,
    pick_playground,
)
from db.evaluations import (
    QuestionSpec,
    add_question,
    arms_for_experiment,
    create_playground,
    set_arm_cap,
    update_playground,
)
from db.session import session_scope
from db.users import PermissionDenied
from db.validation import MAX_CAP, InvalidInput, validate_cap, validate_name, validate_text

STANDARD_QUESTIONS = [
    QuestionSpec("Could you do what you came to do?", "select",
                 [{"label": "Yes", "value": "yes"}, {"label": "Partly", "value": "partly"},
                  {"label": "No", "value": "no"}]),
    QuestionSpec("What, if anything, was confusing?", "input_string", required=False),
]

user = auth.signed_in()
auth.require(user, "admin")
url = data.db_url()
st.title("Playground setup")
st.caption("A playground lets human testers try an experiment's variants blind; every change here is audited.")
experiment_id = pick_experiment(url)
if experiment_id is None:
    st.stop()


def _write(action, *args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
    """One audited admin write; the db layer re-checks that the user is the owning admin."""
    try:
        with session_scope(url) as s:
            action(s, *args, **kwargs)
    except (PermissionDenied, InvalidInput) as exc:
        st.error(str(exc))
        return False
    data.playgrounds.clear()
    data.playground.clear()
    st.success("Saved (and recorded in the audit log).")
    return True


def _emails(raw: str) -> list[str] | None:
    emails = [e.strip() for e in raw.replace(",", "\n").splitlines() if e.strip()]
    return emails or None


def _create(name: str, type_: str, cap: int, keys: list[str], emails: str, description: str, standard: bool) -> bool:
    try:
        # The labels are the form's: the admin sees which field to change. Testers see the name and
        # the instructions, so they carry no escape sequences and stay a readable length.
        name = validate_name(name, "Name")
        instructions = validate_text(description, "Instructions shown to testers")
        cap = validate_cap(cap, "Evaluations per arm (cap)", minimum=1)
        with session_scope(url) as s:
            arms = [a for a in arms_for_experiment(s, experiment_id, cap) if a.model_key in keys]
            create_playground(s, experiment_id=experiment_id, name=name, type=type_, created_by=user["id"], arms=arms,
                              questions=STANDARD_QUESTIONS if standard else [], restricted_emails=_emails(emails),
                              description=instructions)
    except (PermissionDenied, InvalidInput) as exc:
        st.error(str(exc))
        return False
    data.playgrounds.clear()
    st.success(f"Playground {name!r} created with arms {', '.join(keys)}.")
    return True


def _set_cap(session, model_key: str, cap: int) -> None:  # type: ignore[no-untyped-def]
    set_arm_cap(session, playground.id, user["id"], model_key, validate_cap(cap, f"cap of {model_key}"))


def _add_question(session, text: str, qtype: str, options: list[dict[str, str]],  # type: ignore[no-untyped-def]
                  required: bool) -> None:
    spec = QuestionSpec(validate_name(text, "Question", limit=2000), qtype, options if qtype == "select" else None,
                        required=required)
    add_question(session, playground.id, user["id"], spec)


def _questions(questions: list[dict[str, Any]]) -> pd.DataFrame:
    """What testers are asked, in words: no raw column names or option JSON."""
    return pd.DataFrame.from_records([{
        "#": q["order_index"] + 1, "Question": q["question_text"],
        "Answer": (f"{QUESTION_TYPES['select']}: " + " / ".join(o["label"] for o in q["options"] or [])
                   if q["question_type"] == "select" else QUESTION_TYPES.get(q["question_type"], q["question_type"])),
        "Required": "yes" if q["required"] else "no", "Asked about": q["model_key"] or "every arm",
    } for q in questions])


def _audit(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame.from_records([{
        "When": r["created_at"], "Who": r["actor"] or "the pipeline",
        "What": AUDIT_ACTIONS.get(r["action"], r["action"].replace(".", " ").replace("_", " ")),
        "Change": describe_change(r["action"], r["old_values"], r["new_values"]),
    } for r in rows])


variant_keys = [v["key"] for v in data.comparison(url, experiment_id).variants]
with st.expander("New playground", expanded=not data.playgrounds(url, experiment_id)), st.form("new_playground"):
    name = st.text_input("Name", value="Which version works better?")
    type_ = st.radio("Type", list(PLAYGROUND_TYPES), horizontal=True, format_func=PLAYGROUND_TYPES.__getitem__)
    keys = st.multiselect("Arms (the experiment's variants)", variant_keys, default=variant_keys)
    cap = st.number_input("Evaluations per arm (cap)", min_value=1, max_value=MAX_CAP, value=50)
    emails = st.text_area("Restrict to these emails (one per line; empty = every signed-in tester)")
    description = st.text_area("Instructions shown to testers")
    standard = st.checkbox("Add the standard questions (task done? what was confusing?)", value=True)
    if st.form_submit_button("Create playground", type="primary"):
        _create(name, type_, int(cap), keys, emails, description, standard)

playground = pick_playground(data.playgrounds(url, experiment_id), key="admin_playground")
if playground is None:
    st.info("No playground for this experiment yet.")
    st.stop()
details = data.playground(url, playground.id)

st.subheader("Access")
active = st.toggle("Open to testers", value=playground.is_active, key=f"active_{playground.id}")
if active != playground.is_active:
    _write(update_playground, playground.id, user["id"], is_active=active)
with st.form(f"access_{playground.id}"):
    raw = st.text_area("Restricted emails (empty = public to signed-in testers)",
                       value="\n".join(playground.restricted_emails or []))
    if st.form_submit_button("Save access list"):
        _write(update_playground, playground.id, user["id"], restricted_emails=_emails(raw))

st.subheader("Arms and caps")
st.caption("A cap is how many evaluations an arm accepts; the counter only moves on a successful submit.")
for arm in details.arms:
    left, mid, right = st.columns([2, 2, 1])
    left.markdown(f"**{arm['model_key']}** · {arm['current_count']} / {arm['max_evaluations']} evaluations")
    left.html(cap_bar(arm["current_count"], arm["max_evaluations"]))
    # No max_value here: a cap above MAX_CAP gets a message from _set_cap instead of a silent reset.
    cap = mid.number_input("cap", min_value=0, value=arm["max_evaluations"], key=f"cap_{arm['id']}",
                           label_visibility="collapsed")
    if right.button("Set cap", key=f"setcap_{arm['id']}") and cap != arm["max_evaluations"]:
        _write(_set_cap, arm["model_key"], int(cap))

st.subheader("Questions")
if details.questions:
    st.dataframe(_questions(details.questions), hide_index=True, width="stretch")
else:
    st.caption("No questions yet: testers will only rate each arm from 1 to 5.")
with st.form(f"question_{playground.id}", clear_on_submit=True):
    text = st.text_input("Question")
    qtype = st.radio("Type", list(QUESTION_TYPES), horizontal=True, format_func=lambda t: QUESTION_TYPES[t].capitalize())
    options = st.text_input("Options for select (comma separated)", placeholder="yes, partly, no")
    required = st.checkbox("Required", value=True)
    if st.form_submit_button("Add question"):
        opts = [{"label": o.strip(), "value": o.strip().lower()} for o in options.split(",") if o.strip()]
        _write(_add_question, text, qtype, opts, required)

st.subheader("Audit trail")
if details.audit:
    st.dataframe(_audit(details.audit), hide_index=True, width="stretch", column_config={
        "When": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm:ss"),
        "Change": st.column_config.TextColumn("Change", width="large")}, row_height=80)  # > 64 px: cells wrap
else:
    st.caption("Nothing recorded yet.")
