"""What the cached loaders in dashboard/data.py return: one frozen dataclass per loader, so a view reads
`loaded.metrics` and a misspelt field fails at once (and in the type checker) instead of a KeyError
halfway down a page.

st.cache_data pickles every return value; these are plain frozen dataclasses of built-in values, so they
pickle and compare by value. Pure: no Streamlit here, so charts.py and the tests import it freely.

The per-row record lists taken straight from db/queries.py (`list[Row]`, one dict per query row) stay
dicts: they go to pandas / st.dataframe or are indexed by column name as the query spells it, and a
dataclass per query would only mirror each SELECT. Everything data.py builds itself is typed here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from analysis.bradley_terry import ArmStrength
from db.build_summary import BuildSummary

Row = dict[str, Any]  # one query row, as db.queries returns it


@dataclass(frozen=True, slots=True)
class ArmValue:
    """One arm's own value of one metric with its 95 % interval, as a stored statistics run holds it."""

    arm: str
    metric: str
    n: int
    mean: float
    ci_low: float | None
    ci_high: float | None
    note: str = ""  # why there is no interval (an error code in words); empty when there is one


@dataclass(frozen=True, slots=True)
class SrmCheck:
    """The stored sample ratio check of the panel (only when it could be computed)."""

    p_value: float
    flagged: bool  # the arms did not get their share of sessions: no verdict


@dataclass(frozen=True, slots=True)
class ExperimentsOverview:
    rows: list[Row]  # queries.experiments_overview: one row per experiment, with its stages
    running: int  # stage runs running now: the listing refreshes itself while there are any


@dataclass(frozen=True, slots=True)
class ComparisonData:
    variants: list[Row]  # queries.variants_with_suggestions, control first
    build: BuildSummary  # what was built and deployed, and why the rest was not
    metrics: list[Row]  # queries.variant_metrics: one row per variant and metric
    computed: bool  # variant_metrics has stored its statistics run (arm values, SRM) for the experiment
    arm_values: list[ArmValue]  # empty until `computed`
    questions: dict[str, str]  # question text by id, for the human metrics q:<id>=<value>
    sessions: dict[str, int]  # panel sessions per variant key (the SRM check's observed split)
    srm: SrmCheck | None  # None: not computed yet, or no p-value (fewer than two arms with sessions)


@dataclass(frozen=True, slots=True)
class SolvesData:
    solves: list[Row]  # queries.solves: one row per suggestion's solve
    runs: list[Row]  # queries.solve_runs: every code-agent run of the experiment (solve_id links them)


@dataclass(frozen=True, slots=True)
class TimelineData:
    events: list[Row]  # queries.timeline, newest first
    feedback: list[Row]
    runs: list[Row]  # queries.solve_runs
    variants: list[Row]  # queries.variants_with_suggestions


@dataclass(frozen=True, slots=True)
class LiveCounts:
    """The System page's four live counters (queries.system_now)."""

    active_sessions: int  # test sessions whose panel is running now
    active_browsers: int  # simulated users with a browser open
    flows_executed: int  # test flows that ran to completion
    sessions_completed: int  # browser sessions completed


@dataclass(frozen=True, slots=True)
class SystemData:
    now: LiveCounts
    level_counts: dict[str, int]  # execution log lines per level
    logs: list[Row]  # queries.execution_logs at the chosen levels, newest first
    stage_runs: list[Row]  # queries.recent_stage_runs


@dataclass(frozen=True, slots=True)
class TesterPlayground:
    """A playground as the picker and the Evaluate page show it (what a tester may see of it)."""

    id: str
    name: str
    type: str  # "ab_testing" or "tuning"
    is_active: bool  # open to testers
    description: str | None  # instructions shown to testers
    support_text: str | None
    experiment_id: str | None


@dataclass(frozen=True, slots=True)
class Playground(TesterPlayground):
    """A playground as admins and analysts see it: with its access list."""

    restricted_emails: list[str] | None  # None: every signed-in tester may evaluate


@dataclass(frozen=True, slots=True)
class PlaygroundData:
    arms: list[Row]  # queries.arms, with each arm's evaluation count against its cap
    questions: list[Row]  # queries.questions, in asking order
    audit: list[Row]  # queries.audit_trail of the playground, its arms and questions


@dataclass(frozen=True, slots=True)
class EvaluationResults:
    summary: Row  # the playground_metrics counts: total_testers, total_evaluations, total_answers, avg_rating
    distribution: list[Row]  # queries.answer_distribution: select answers per arm
    open_responses: list[Row]  # queries.open_responses: free-text answers
    computed: bool  # evaluation_metrics has stored ratings and a ranking for this playground
    ranked_playground: str | None  # the one playground evaluation_metrics computes them for (None: not run)
    computed_at: dt.datetime | None  # when it stored them (None unless `computed`)
    ratings: list[ArmValue]  # mean rating per arm; empty unless `computed`
    # The Bradley–Terry ranking as stored (analysis's own frozen rows, one per arm); empty unless `computed`.
    ranking: list[ArmStrength]
    n_comparisons: int  # head-to-head comparisons behind the ranking


@dataclass(frozen=True, slots=True)
class SessionReplay:
    """One panel session as the Replay view steps through it (db.replay.session_replay)."""

    id: str
    stage: str  # browser_results (the variant panel) or control_analysis (the control's own panel)
    persona: str
    task_prompt: str
    success: bool | None  # None: the session never reported an outcome
    duration_ms: float
    variant: str  # the arm's key
    summary: str  # the simulated user's own account, "" if it gave none
    steps: list[Row]  # db.replay.replay_rows: one row per action, for st.dataframe
