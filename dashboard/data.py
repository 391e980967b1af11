"""Cached loaders: one short-lived st.cache_data wrapper per view over db.queries.

Each loader takes the database URL so caches never leak between databases; the TTL is short
because pipelines write while people watch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from analysis.boundary import wilson
from analysis.bradley_terry import bradley_terry
from analysis.codes import ErrorCode
from analysis.frequentist import t_quantile
from analysis.srm import srm_test
from analysis.statistics import SampleStats
from db import queries
from db.build_summary import build_summary
from db.evaluation_stats import RATING_METRIC, evaluation_stats, pairwise_preferences, preference_comparisons
from db.evaluations import visible_playgrounds
from db.migrate import ensure_schema
from db.rls import tester_session
from db.session import get_engine, session_scope
from db.settings import get_settings
from db.users import get_user

TTL_S = 5


def db_url() -> str:
    """The app database, brought to the schema head once per process (a fresh machine just works)."""
    return ensure_schema(get_settings().resolved_database_url)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def users(url: str) -> list[dict[str, Any]]:
    with session_scope(url) as s:
        return queries.list_users(s)


@st.cache_data(ttl=2, show_spinner=False)
def experiments(url: str) -> dict[str, Any]:
    with session_scope(url) as s:
        return {"rows": queries.experiments_overview(s), "running": queries.running_stage_count(s)}


@st.cache_data(ttl=TTL_S, show_spinner=False)
def experiment_choices(url: str) -> list[dict[str, Any]]:
    with session_scope(url) as s:
        return queries.experiment_choices(s)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def header(url: str, experiment_id: str) -> dict[str, Any] | None:
    with session_scope(url) as s:
        return queries.experiment_header(s, experiment_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def comparison(url: str, experiment_id: str) -> dict[str, Any]:
    with session_scope(url) as s:
        counts = queries.session_counts(s, experiment_id)
        srm = srm_test(counts) if len(counts) >= 2 else None
        metrics = queries.variant_metrics(s, experiment_id)
        # Human metrics name a select question's option as q:<id>=<value>; the scorecard shows its text.
        asked = sorted({m["metric"][2:].split("=", 1)[0] for m in metrics if m["metric"].startswith("q:")})
        return {
            "variants": queries.variants_with_suggestions(s, experiment_id),
            "build": build_summary(s, experiment_id).to_dict(),
            "metrics": metrics,
            "arm_values": arm_intervals(m for m in metrics if m["source"] == "panel"),
            "questions": queries.question_texts(s, asked),
            "sessions": counts,
            "srm": None if srm is None else {"p_value": srm.p_value, "flagged": srm.flagged},
        }


def existing_screenshots(paths: Iterable[str]) -> list[str]:
    """Absolute paths of screenshots that exist inside the artifacts dir (never anything outside it)."""
    root = get_settings().artifacts_dir.resolve()
    found = []
    for raw in paths:
        path = Path(raw) if Path(raw).is_absolute() else root / raw
        path = path.resolve()
        if path.is_relative_to(root) and path.is_file():
            found.append(str(path))
    return found


@st.cache_data(ttl=TTL_S, show_spinner=False)
def solves(url: str, experiment_id: str) -> dict[str, Any]:
    with session_scope(url) as s:
        return {"solves": queries.solves(s, experiment_id), "runs": queries.solve_runs(s, experiment_id)}


@st.cache_data(ttl=2, show_spinner=False)
def timeline(url: str, experiment_id: str) -> dict[str, Any]:
    with session_scope(url) as s:
        return {
            "events": queries.timeline(s, experiment_id),
            "feedback": queries.feedback(s, experiment_id),
            "runs": queries.solve_runs(s, experiment_id),
            "variants": queries.variants_with_suggestions(s, experiment_id),
        }


@st.cache_data(ttl=2, show_spinner=False)
def system(url: str, levels: tuple[str, ...], experiment_id: str | None) -> dict[str, Any]:
    """Everything on the System page, for one experiment or (None) all of them."""
    with session_scope(url) as s:
        return {
            "now": queries.system_now(s, experiment_id),
            "level_counts": queries.log_level_counts(s, experiment_id),
            "logs": queries.execution_logs(s, levels=list(levels), experiment_id=experiment_id),
            "stage_runs": queries.recent_stage_runs(s, experiment_id),
        }


@st.cache_data(ttl=TTL_S, show_spinner=False)
def playgrounds(url: str, experiment_id: str | None) -> list[dict[str, Any]]:
    with session_scope(url) as s:
        return queries.playgrounds(s, experiment_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def tester_playgrounds(url: str, user_id: str) -> list[dict[str, Any]]:
    """Playgrounds open to this tester, read under the tester's row-level security on PostgreSQL."""
    with session_scope(url) as s:
        user = get_user(s, user_id)
    with tester_session(get_engine(url), user) as s:
        return [{"id": p.id, "name": p.name, "type": p.type, "is_active": p.is_active,
                 "description": p.description, "support_text": p.support_text, "experiment_id": p.experiment_id}
                for p in visible_playgrounds(s, user)]


@st.cache_data(ttl=TTL_S, show_spinner=False)
def playground(url: str, playground_id: str) -> dict[str, Any]:
    with session_scope(url) as s:
        arms = queries.arms(s, playground_id)
        questions = queries.questions(s, playground_id)
        ids = [playground_id, *(a["id"] for a in arms), *(q["id"] for q in questions)]
        return {"arms": arms, "questions": questions, "audit": queries.audit_trail(s, ids)}


@st.cache_data(ttl=TTL_S, show_spinner=False)
def evaluation_results(url: str, playground_id: str) -> dict[str, Any]:
    with session_scope(url) as s:
        stats = evaluation_stats(s, playground_id)
        prefs = pairwise_preferences(s, playground_id)
        summary = queries.playground_summary(s, playground_id)
        distribution = queries.answer_distribution(s, playground_id)
        responses = queries.open_responses(s, playground_id)
    ranking = bradley_terry(preference_comparisons(prefs), n_bootstrap=300)
    return {
        "summary": summary,
        "distribution": distribution,
        "open_responses": responses,
        "ratings": arm_intervals(r for r in stats if r["metric"] == RATING_METRIC),
        "ranking": [
            {"arm": a.arm, "strength": a.strength, "ci_low": a.ci_low, "ci_high": a.ci_high, "rank": a.rank,
             "wins": a.wins, "comparisons": a.comparisons} for a in ranking.arms
        ],
        "n_comparisons": ranking.n_comparisons,
    }


def arm_intervals(stats: Iterable[Mapping[str, Any]], alpha: float = 0.05) -> list[dict[str, Any]]:
    """Mean per arm and metric with a (1 - alpha) interval from n, sum, sum²: Wilson for proportions
    (an arm at 0 % or 100 % still gets a width), t for means. Every arm with data is kept; one with a
    single observation has no interval (ci None) and says so in `note`, so no chart drops it silently."""
    out = []
    for row in stats:
        sample = SampleStats(n=int(row["n"]), sum=float(row["sum"]), sum_squares=float(row["sum_squares"]),
                             kind="binomial" if row["type"] == "binomial" else "mean")
        if sample.error_code is ErrorCode.EMPTY_ARM:
            continue
        entry = {"arm": row["variant"], "metric": row["metric"], "n": sample.n, "mean": sample.mean,
                 "ci_low": None, "ci_high": None, "note": ""}
        if sample.kind == "binomial":
            entry["ci_low"], entry["ci_high"] = wilson(sample.sum, sample.n, alpha)
        elif sample.error_code is None:
            half = t_quantile(1 - alpha / 2, sample.n - 1) * math.sqrt(sample.variance / sample.n)
            entry["ci_low"], entry["ci_high"] = sample.mean - half, sample.mean + half
        else:
            entry["note"] = "a single observation: no interval yet"
        out.append(entry)
    return out
