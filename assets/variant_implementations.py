"""Stage 4: each suggestion built by a matrix of code-agent runs; each champion becomes a variant."""

import datetime as dt
import time
from dataclasses import asdict, dataclass
from typing import Any

import dagster as dg
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agents.code.solve import RunConfig, SolveOutcome, run_solve
from agents.code.solve_events import SolveEvent
from agents.llm.base import ModelSpec
from agents.schemas import SuggestionSpec
from assets.feedback import link_feedback, sent_feedback, with_feedback
from assets.records import StageInputMissing
from assets.stage_runner import Metadata, StageCall, run_stage, stage_asset
from db.ai_models import active_models
from db.base import utcnow
from db.build_summary import build_summary
from db.experiments import add_event, get_experiment
from db.models import Solve, SolveRun, Suggestion, Variant
from db.stage_names import Stage
from pipelines.policies import EXTERNAL_SERVICE_RETRY
from pipelines.resources import AppDatabase, AppSettings
from settings import Settings

STAGE = Stage.VARIANT_IMPLEMENTATIONS


@dataclass(frozen=True)
class _Suggestion:
    id: str
    rank: int  # its variant's key is v{rank}
    spec: SuggestionSpec


@dataclass(frozen=True)
class _Inputs:
    repo: str
    ref: str | None
    settings: Settings  # the code-agent section sizes the solve; the runs need the sandbox and LLM ones
    suggestions: list[_Suggestion]
    matrix: list[RunConfig]  # every active model × temperature × strategy
    model_row_ids: dict[str, int]  # model id → its registry row
    feedback: dict[str, list[tuple[str, str]]]  # variant key → [(feedback id, text)] sent to the agent


@dataclass(frozen=True)
class SolveToPersist:
    """One suggestion's solve as the agents left it, for the stage to write."""

    suggestion: _Suggestion
    outcome: SolveOutcome  # with the events the agents reported on the way
    seconds: float
    matrix: list[RunConfig]  # the stage's matrix plus this suggestion's refinement runs
    feedback_ids: list[str]  # the reviewers' feedback the refinement runs carry


@dataclass(frozen=True)
class SolveSummary:
    """What one persisted solve came to: a line of the materialisation's metadata."""

    suggestion: str
    champion: dict[str, str] | None
    runs: int
    run_ids: list[str]
    failed_runs: int
    tokens: int
    cost_usd: float
    strategies: list[str]
    seconds: float
    reason: str

    def as_metadata(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "run_ids"}


@stage_asset(STAGE, deps=[Stage.VARIANT_SUGGESTIONS], retry_policy=EXTERNAL_SERVICE_RETRY, pool="sandbox")
def variant_implementations(context: dg.AssetExecutionContext, database: AppDatabase,
                            settings: AppSettings) -> dg.MaterializeResult:
    """One experimental variant per suggestion: the champion of a solve's matrix of code-agent runs."""
    return run_stage(context, database, STAGE, settings=settings, read=_read, work=_solve_all,
                     write=_write)


def _read(session: Session, call: StageCall) -> _Inputs:
    settings = call.settings
    code = settings.code
    experiment = get_experiment(session, call.experiment_id)
    suggestions = [_Suggestion(s.id, s.rank, SuggestionSpec(
        title=s.title, rationale=s.rationale, addresses_issues=s.addresses_issues, target_metric=s.target_metric,
        recipe=s.recipe)) for s in session.scalars(select(Suggestion).where(
            Suggestion.experiment_id == call.experiment_id).order_by(Suggestion.rank))]
    if not suggestions:
        raise StageInputMissing("no suggestions; materialise variant_suggestions first")
    models = [(m.id, ModelSpec(provider=m.provider, model_id=m.model_id, name=m.name, config=m.config or {}))
              for m in active_models(session, code.models)]
    matrix = [RunConfig(model=spec, temperature=t, strategy=strategy, max_edits=code.max_edits)
              for _, spec in models for t in code.temperatures for strategy in code.strategies]
    return _Inputs(experiment.repo_url, experiment.base_branch, settings, suggestions, matrix,
                   {spec.model_id: row_id for row_id, spec in models}, sent_feedback(session, call.experiment_id))


def _solve_all(inputs: _Inputs, call: StageCall) -> list[SolveToPersist]:
    solves = []
    for index, suggestion in enumerate(inputs.suggestions):
        solves.append(_solve(inputs, suggestion))
        call.handle.progress(int(100 * (index + 1) / len(inputs.suggestions)), f"solved: {suggestion.spec.title}")
    return solves


def _solve(inputs: _Inputs, suggestion: _Suggestion) -> SolveToPersist:
    code = inputs.settings.code
    solve_started = time.monotonic()
    # Feedback on this suggestion's variant adds refinement runs that carry the reviewer's words.
    run_matrix, run_spec, feedback_ids = with_feedback(inputs.matrix, suggestion.spec,
                                                       inputs.feedback.get(f"v{suggestion.rank}", []))
    outcome = run_solve(inputs.repo, run_spec, ref=inputs.ref, matrix=run_matrix, max_parallel=code.max_parallel,
                        time_budget_s=code.time_budget_s, agent=code.agent, settings=inputs.settings)
    return SolveToPersist(suggestion, outcome, time.monotonic() - solve_started, run_matrix, feedback_ids)


def _write(session: Session, inputs: _Inputs, solves: list[SolveToPersist], call: StageCall) -> Metadata:
    # Replace this partition's solves and experimental variants (runs and results cascade).
    session.execute(delete(Solve).where(Solve.experiment_id == call.experiment_id))
    session.execute(delete(Variant).where(Variant.experiment_id == call.experiment_id, Variant.type == "experiment"))
    summary = []
    for solved in solves:
        summary.append(_persist_solve(session, call.experiment_id, inputs, solved))
        link_feedback(session, summary[-1].run_ids, solved.matrix, solved.feedback_ids)
    session.flush()
    built = build_summary(session, call.experiment_id)
    add_event(session, call.experiment_id, "checkpoint", stage=STAGE, title=built.line()[:200],
              status="completed" if built.built else "failed", data=built.to_dict())
    return {
        "solves": len(summary),
        "variants": sum(1 for s in summary if s.champion),
        "variants_built": built.line(),
        "runs": sum(s.runs for s in summary),
        "failed_runs": sum(s.failed_runs for s in summary),
        "tokens": sum(s.tokens for s in summary),
        "cost_usd": round(sum(s.cost_usd for s in summary), 6),
        "champions": dg.MetadataValue.json([s.as_metadata() for s in summary]),
        "refinement_runs": sum(1 for s in summary for r in s.strategies if r == "feedback_refined"),
        "seconds": round(call.elapsed(), 2),
    }


def _persist_solve(session: Session, experiment_id: str, inputs: _Inputs, solved: SolveToPersist) -> SolveSummary:
    outcome, spec = solved.outcome, solved.suggestion.spec
    solve = _solve_row(experiment_id, inputs, solved)
    session.add(solve)
    session.flush()
    run_ids = _add_runs(session, experiment_id, solve, inputs.model_row_ids, solved)
    _add_events(session, experiment_id, spec, solved.outcome.events, run_ids)
    champion = _add_champion(session, experiment_id, solve, solved, run_ids)
    return SolveSummary(
        suggestion=spec.title, champion=champion, runs=len(outcome.runs), run_ids=run_ids,
        failed_runs=sum(r.status != "completed" for r in outcome.runs),
        tokens=sum(r.tokens or 0 for r in outcome.runs), cost_usd=sum(r.cost_usd or 0 for r in outcome.runs),
        strategies=[c.strategy for c in solved.matrix], seconds=round(solved.seconds, 2),
        reason=outcome.champion_reason)


def _solve_row(experiment_id: str, inputs: _Inputs, solved: SolveToPersist) -> Solve:
    code, outcome = inputs.settings.code, solved.outcome
    return Solve(
        experiment_id=experiment_id, suggestion_id=solved.suggestion.id, repo_url=inputs.repo, base_branch=inputs.ref,
        agent=code.agent, max_parallel=code.max_parallel, time_budget_s=code.time_budget_s,
        matrix={"experiments": [{"run_index": i, "model": c.model.model_id, "temperature": c.temperature,
                                 "mode": c.strategy} for i, c in enumerate(solved.matrix)]},
        limits={"max_parallel": code.max_parallel, "time_budget_s": code.time_budget_s,
                "max_edits": code.max_edits, "max_steps": code.max_steps},
        status="completed" if outcome.champion_index is not None else "failed",
        champion_reason=outcome.champion_reason,
        error_message=None if outcome.champion_index is not None else outcome.champion_reason,
        started_at=min((_when(r.started_at) for r in outcome.runs if r.started_at), default=utcnow()),
        completed_at=utcnow(),
    )


def _add_runs(session: Session, experiment_id: str, solve: Solve, model_row_ids: dict[str, int],
              solved: SolveToPersist) -> list[str]:
    """Every run, retries included (a retry sits after the matrix and names the run it retries)."""
    outcome, spec = solved.outcome, solved.suggestion.spec
    run_ids: list[str] = []
    for run in outcome.runs:
        config = run.config
        row = SolveRun(
            solve_id=solve.id, experiment_id=experiment_id, ai_model_id=model_row_ids.get(config.model.model_id),
            model=config.model.model_id, temperature=config.temperature, max_edits=config.max_edits,
            evolution=config.strategy, status=run.status, phase="testing" if run.tests_passed is not None else None,
            progress=100 if run.status == "completed" else 0, phases=run.phases, suggestion=spec.title,
            implementation_prompt=run.implementation_prompt, sandbox_id=run.sandbox_id,
            tests_passed=run.tests_passed, goal_checks_passed=run.goal_checks_passed, loc_changed=run.loc_changed,
            files_changed=run.files_changed, files_modified=run.files_modified, code_changes=run.code_changes,
            diff=run.diff, implementation_summary=run.summary, tokens=run.tokens, cost_usd=run.cost_usd,
            latency_ms=int(run.latency_ms) if run.latency_ms is not None else None, diagnostics=run.diagnostics,
            trajectory_data=run.trajectory, error_message=run.error_message,
            errored_at=_when(run.completed_at) if run.status == "failed" else None,
            started_at=_when(run.started_at), completed_at=_when(run.completed_at),
        )
        if run.retry_of is not None and run.retry_of < len(run_ids):
            row.parent_run_id, row.retry_count = run_ids[run.retry_of], 1
            row.retry_reason = outcome.runs[run.retry_of].error_message
        session.add(row)
        session.flush()
        run_ids.append(row.id)
    return run_ids


def _add_events(session: Session, experiment_id: str, spec: SuggestionSpec,
                events: list[SolveEvent], run_ids: list[str]) -> None:
    """The agents' events on the timeline, each with the run it came from."""
    for event in events:
        index = event.run_index
        run_id = run_ids[index] if index is not None and 0 <= index < len(run_ids) else None
        add_event(session, experiment_id, event.kind.value, stage=STAGE, run_id=run_id, author_type="agent",
                  title=f"{event.kind.title}: {spec.title}", data=_jsonable(event.data), status=event.status.value)


def _add_champion(session: Session, experiment_id: str, solve: Solve, solved: SolveToPersist,
                  run_ids: list[str]) -> dict[str, str] | None:
    """The champion run becomes the suggestion's variant, v{rank}; None when no run made it."""
    outcome, suggestion = solved.outcome, solved.suggestion
    if outcome.champion_index is None:
        return None
    champion_run = outcome.runs[outcome.champion_index]
    solve.champion_run_id = run_ids[outcome.champion_index]
    variant = Variant(experiment_id=experiment_id, type="experiment", key=f"v{suggestion.rank}",
                      suggestion_id=suggestion.id, suggestion=suggestion.spec.title, source_run_id=solve.champion_run_id,
                      patch=champion_run.diff, deploy_status="queued")
    session.add(variant)
    session.flush()
    session.get(SolveRun, solve.champion_run_id).variant_id = variant.id
    add_event(session, experiment_id, "champion_selected", stage=STAGE,
              run_id=solve.champion_run_id, title=f"Champion run for: {suggestion.spec.title}",
              content=outcome.champion_reason, status="completed")
    return {"variant": variant.key, "run": solve.champion_run_id, "reason": outcome.champion_reason}


def _when(value: str | dt.datetime | None) -> dt.datetime | None:
    """Agents report ISO timestamps; the database wants aware datetimes."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)) for k, v in data.items()}
