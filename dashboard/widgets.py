"""Small UI pieces shared by views: colour-coded statuses, the experiment picker, and plain words for
what the database stores (audit changes, preview addresses)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from agents.sandbox.base import describe_plan
from dashboard import data
from dashboard.charts import ACCENT
from dashboard.loaded import TesterPlayground

P = TypeVar("P", bound=TesterPlayground)

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


# A sandbox preview is served from a loopback port (or a provider's preview host) that lives only while
# its stage runs; a link to it from a finished experiment leads nowhere.
_LOOPBACK = re.compile(r"https?://(?:127\.\d+\.\d+\.\d+|localhost|0\.0\.0\.0|\[::1\])(?::\d+)?")


def cap_bar(count: int, cap: int) -> str:
    """An arm's evaluations against its cap as a thin bar in the accent colour: st.progress takes the
    theme's primary red, and a cap that is reached is progress, not an error."""
    share = min(1.0, count / max(1, cap))
    return (f'<div role="progressbar" aria-valuenow="{count}" aria-valuemin="0" aria-valuemax="{cap}" '
            'style="background:#e6e9ef;border-radius:4px;height:8px;margin:2px 0 10px">'
            f'<div style="width:{share * 100:.1f}%;background:{ACCENT};border-radius:4px;height:8px"></div></div>')


def unlink_previews(text: str, preview_urls: Iterable[str | None] = ()) -> str:
    """Text with every sandbox preview address reduced to its path in code style, so it cannot be clicked:
    "failed at http://127.0.0.1:41235/signup" becomes "failed at `/signup`"."""
    origins = sorted({f"{u.scheme}://{u.netloc}" for u in map(urlsplit, filter(None, preview_urls)) if u.netloc})
    hosts = "|".join([_LOOPBACK.pattern, *map(re.escape, origins)])

    def path(match: re.Match[str]) -> str:
        tail = match.group(1)
        kept = tail.rstrip(".:!?")  # sentence punctuation after an address is not part of it
        return f"`{kept or '/'}`{tail[len(kept):]}"

    return re.sub(f"(?:{hosts})([^\\s`'\"),;]*)", path, text)


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


def pick_playground(playgrounds: Sequence[P], key: str = "playground") -> P | None:
    """A playground picker over an admin's (Playground) or a tester's (TesterPlayground) list."""
    if not playgrounds:
        return None
    by_id = {p.id: p for p in playgrounds}
    chosen = st.selectbox("Playground", list(by_id), key=key,
                          format_func=lambda i: f"{by_id[i].name} ({_kind(by_id[i].type)})"
                          + ("" if by_id[i].is_active else " · inactive"))
    return by_id[chosen]


PLAYGROUND_TYPES = {"ab_testing": "A/B test: each tester tries every arm once",
                    "tuning": "Tuning: one arm, asked repeatedly"}
_KINDS = {"ab_testing": "A/B test", "tuning": "tuning"}
QUESTION_TYPES = {"select": "multiple choice", "input_string": "free text"}
AUDIT_ACTIONS = {"playground.create": "created the playground", "playground.update": "changed the playground",
                 "playground.delete": "deleted the playground", "question.create": "added a question",
                 "arm.set_cap": "changed an arm's cap"}
_FIELDS = {"name": "name", "description": "instructions", "support_text": "support text",
           "is_active": "open to testers", "restricted_emails": "access list", "max_evaluations": "cap"}


def _kind(type_: str) -> str:
    return _KINDS.get(type_, type_.replace("_", " "))


def _plain(key: str, value: Any) -> str:
    if key == "restricted_emails" and not value:
        return "every signed-in tester"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "empty"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    text = str(value)
    return f"“{text if len(text) <= 60 else text[:59] + '…'}”" if isinstance(value, str) else text


def describe_change(action: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    """An audit row's old and new values as one sentence instead of two JSON blobs."""
    old, new = old or {}, new or {}
    if action == "playground.create":
        arms = new.get("arms") or []
        caps = sorted({a.get("max_evaluations") for a in arms} - {None})
        return (f"{_plain('name', new.get('name'))}, {PLAYGROUND_TYPES.get(new.get('type', ''), new.get('type'))}; "
                f"arms {', '.join(a['model_key'] for a in arms) or 'none'}"
                + (f" (cap {', '.join(map(str, caps))} each)" if caps else "")
                + f"; {len(new.get('questions') or [])} question(s)")
    if action == "arm.set_cap":
        return f"cap of {new.get('model_key')}: {old.get('max_evaluations')} → {new.get('max_evaluations')} evaluations"
    if action == "question.create":
        kind = QUESTION_TYPES.get(new.get("question_type", ""), new.get("question_type"))
        return f"{_plain('question', new.get('question_text'))} ({kind})"
    keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    return "; ".join(f"{_FIELDS.get(k, k.replace('_', ' '))}: {_plain(k, old.get(k))} → {_plain(k, new.get(k))}"
                     for k in keys) or "no change recorded"
