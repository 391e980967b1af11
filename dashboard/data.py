"""Cached loaders: one short-lived st.cache_data wrapper per view over db.queries.

Each loader takes the database URL so caches never leak between databases; the TTL is short
because pipelines write while people watch. What a loader returns is a frozen dataclass from
dashboard/loaded.py (st.cache_data pickles it); query rows inside it stay dicts (see there).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import streamlit as st

from analysis.arm_intervals import ArmInterval
from analysis.codes import ErrorCode
from dashboard.loaded import (
    ArmValue,
    ComparisonData,
    EvaluationResults,
    ExperimentsOverview,
    LiveCounts,
    Playground,
    PlaygroundData,
    SolvesData,
    SrmCheck,
    SystemData,
    TesterPlayground,
    TimelineData,
)
from db import queries
from db.build_summary import build_summary
from db.evaluation_stats import RATING_METRIC
from db.evaluations import visible_playgrounds
from db.migrate import ensure_schema
from db.rls import tester_session
from db.session import get_engine, session_scope
from db.stored_statistics import human_statistics, panel_statistics
from db.users import get_user
from settings import get_settings

TTL_S = 5


def db_url() -> str:
    """The app database, brought to the schema head once per process (a fresh machine just works)."""
    return ensure_schema(get_settings().resolved_database_url)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def users(url: str) -> list[dict[str, Any]]:
    with session_scope(url) as s:
        return queries.list_users(s)


@st.cache_data(ttl=2, show_spinner=False)
def experiments(url: str) -> ExperimentsOverview:
    with session_scope(url) as s:
        return ExperimentsOverview(rows=queries.experiments_overview(s), running=queries.running_stage_count(s))


@st.cache_data(ttl=TTL_S, show_spinner=False)
def experiment_choices(url: str) -> list[dict[str, Any]]:
    with session_scope(url) as s:
        return queries.experiment_choices(s)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def header(url: str, experiment_id: str) -> dict[str, Any] | None:
    with session_scope(url) as s:
        return queries.experiment_header(s, experiment_id)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def comparison(url: str, experiment_id: str) -> ComparisonData:
    """The comparison's rows, and the numbers variant_metrics stored beside them (`computed` False
    until it has run: the page then says so rather than computing them a second time)."""
    with session_scope(url) as s:
        metrics = queries.variant_metrics(s, experiment_id)
        stored = panel_statistics(s, experiment_id)
        # Human metrics name a select question's option as q:<id>=<value>; the scorecard shows its text.
        asked = sorted({m["metric"][2:].split("=", 1)[0] for m in metrics if m["metric"].startswith("q:")})
        return ComparisonData(
            variants=queries.variants_with_suggestions(s, experiment_id),
            build=build_summary(s, experiment_id),
            metrics=metrics,
            computed=stored is not None,
            arm_values=[] if stored is None else arm_values(stored.arms),
            questions=queries.question_texts(s, asked),
            sessions=queries.session_counts(s, experiment_id),
            srm=None if stored is None or stored.srm.p_value is None
            else SrmCheck(p_value=stored.srm.p_value, flagged=stored.srm.flagged),
        )


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
def solves(url: str, experiment_id: str) -> SolvesData:
    with session_scope(url) as s:
        return SolvesData(solves=queries.solves(s, experiment_id), runs=queries.solve_runs(s, experiment_id))


@st.cache_data(ttl=2, show_spinner=False)
def timeline(url: str, experiment_id: str) -> TimelineData:
    with session_scope(url) as s:
        return TimelineData(
            events=queries.timeline(s, experiment_id),
            feedback=queries.feedback(s, experiment_id),
            runs=queries.solve_runs(s, experiment_id),
            variants=queries.variants_with_suggestions(s, experiment_id),
        )


@st.cache_data(ttl=2, show_spinner=False)
def system(url: str, levels: tuple[str, ...], experiment_id: str | None) -> SystemData:
    """Everything on the System page, for one experiment or (None) all of them."""
    with session_scope(url) as s:
        return SystemData(
            now=LiveCounts(**queries.system_now(s, experiment_id)),
            level_counts=queries.log_level_counts(s, experiment_id),
            logs=queries.execution_logs(s, levels=list(levels), experiment_id=experiment_id),
            stage_runs=queries.recent_stage_runs(s, experiment_id),
        )


@st.cache_data(ttl=TTL_S, show_spinner=False)
def playgrounds(url: str, experiment_id: str | None) -> list[Playground]:
    """The experiment's playgrounds (or every one), newest first."""
    with session_scope(url) as s:
        return [Playground(id=p["id"], name=p["name"], type=p["type"], is_active=p["is_active"],
                           description=p["description"], support_text=p["support_text"],
                           experiment_id=p["experiment_id"], restricted_emails=p["restricted_emails"])
                for p in queries.playgrounds(s, experiment_id)]


@st.cache_data(ttl=TTL_S, show_spinner=False)
def tester_playgrounds(url: str, user_id: str) -> list[TesterPlayground]:
    """Playgrounds open to this tester, read under the tester's row-level security on PostgreSQL."""
    with session_scope(url) as s:
        user = get_user(s, user_id)
    with tester_session(get_engine(url), user) as s:
        return [TesterPlayground(id=p.id, name=p.name, type=p.type, is_active=p.is_active, description=p.description,
                                 support_text=p.support_text, experiment_id=p.experiment_id)
                for p in visible_playgrounds(s, user)]


@st.cache_data(ttl=TTL_S, show_spinner=False)
def playground(url: str, playground_id: str) -> PlaygroundData:
    with session_scope(url) as s:
        arms = queries.arms(s, playground_id)
        questions = queries.questions(s, playground_id)
        ids = [playground_id, *(a["id"] for a in arms), *(q["id"] for q in questions)]
        return PlaygroundData(arms=arms, questions=questions, audit=queries.audit_trail(s, ids))


@st.cache_data(ttl=TTL_S, show_spinner=False)
def evaluation_results(url: str, experiment_id: str, playground_id: str) -> EvaluationResults:
    """Counts and answers read live; the per-arm intervals and the ranking as evaluation_metrics stored
    them for the experiment's playground (`computed` False until it has run on this playground)."""
    with session_scope(url) as s:
        summary = queries.playground_summary(s, playground_id)
        distribution = queries.answer_distribution(s, playground_id)
        responses = queries.open_responses(s, playground_id)
        stored = human_statistics(s, experiment_id)
    ranked = None if stored is None else stored.playground_id
    if ranked != playground_id:
        stored = None
    return EvaluationResults(
        summary=summary,
        distribution=distribution,
        open_responses=responses,
        computed=stored is not None,
        ranked_playground=ranked,
        computed_at=None if stored is None else stored.computed_at,
        ratings=[] if stored is None else arm_values(a for a in stored.arms if a.metric == RATING_METRIC),
        ranking=[] if stored is None else list(stored.ranking.arms),
        n_comparisons=0 if stored is None else stored.ranking.n_comparisons,
    )


NOTES: dict[ErrorCode | None, str] = {ErrorCode.TOO_FEW_SAMPLES: "a single observation: no interval yet"}


def arm_values(intervals: Iterable[ArmInterval]) -> list[ArmValue]:
    """Stored per-arm intervals as the charts take them, an error code turned into a sentence."""
    return [ArmValue(arm=a.arm, metric=a.metric, n=a.n, mean=a.mean, ci_low=a.ci_low, ci_high=a.ci_high,
                     note=NOTES.get(a.error_code, "")) for a in intervals]
