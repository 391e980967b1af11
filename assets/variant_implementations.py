"""Stage 4: each suggestion built by a matrix of code-agent runs; each champion becomes a variant."""

import datetime as dt
import time
from typing import Any

import dagster as dg
from sqlalchemy import delete, select

from agents.code.solve import RunConfig, SolveOutcome, run_solve
from agents.llm.base import ModelSpec
from agents.schemas import SuggestionSpec
from assets.feedback import link_feedback, sent_feedback, with_feedback
from assets.records import StageInputMissing, dagster_run_id, experiment_links
from db.ai_models import active_models
from db.base import utcnow
from db.build_summary import build_summary
from db.experiment_playground import guard_variants_with_evaluations
from db.experiments import add_event, get_experiment
from db.models import Solve, SolveRun, Suggestion, Variant
from db.settings import get_settings
from db.stages import tracked_stage
from pipelines.partitions import experiments_partitions
from pipelines.policies import EXTERNAL_SERVICE_RETRY, fail_without_retry
from pipelines.resources import AppDatabase

STAGE = "variant_implementations"


@dg.asset(partitions_def=experiments_partitions, deps=["variant_suggestions"],
          retry_policy=EXTERNAL_SERVICE_RETRY, pool="sandbox", group_name="experiment", kinds={"python"})
def variant_implementations(context: dg.AssetExecutionContext, database: AppDatabase) -> dg.MaterializeResult:
    """One experimental variant per suggestion: the champion of a solve's matrix of code-agent runs."""
    experiment_id = context.partition_key
    code = get_settings().code
    started = time.monotonic()
    with fail_without_retry(), database.session() as session:
        # Before tracked_stage: a refusal changes nothing, so it leaves no failed run on the record.
        guard_variants_with_evaluations(session, experiment_id, STAGE)
    with fail_without_retry(), tracked_stage(experiment_id, STAGE, url=database.ready_url(),
                                             dagster_run_id=dagster_run_id(context)) as stage:
        with database.session() as session:
            experiment = get_experiment(session, experiment_id)
            repo, ref = experiment.repo_url, experiment.base_branch
            suggestions = list(session.scalars(select(Suggestion).where(
                Suggestion.experiment_id == experiment_id).order_by(Suggestion.rank)))
            if not suggestions:
                raise StageInputMissing("no suggestions; materialise variant_suggestions first")
            models = [(m.id, ModelSpec(provider=m.provider, model_id=m.model_id, name=m.name, config=m.config or {}))
                      for m in active_models(session, code.models)]
            suggestion_rows = [(s.id, s.rank, SuggestionSpec(title=s.title, rationale=s.rationale,
                                addresses_issues=s.addresses_issues, target_metric=s.target_metric, recipe=s.recipe))
                               for s in suggestions]
            feedback = sent_feedback(session, experiment_id)
        matrix = [RunConfig(model=spec, temperature=t, strategy=strategy, max_edits=code.max_edits)
                  for _, spec in models for t in code.temperatures for strategy in code.strategies]
        model_row_ids = {spec.model_id: row_id for row_id, spec in models}
        outcomes: list[tuple[str, int, SolveOutcome, list[str]]] = []
        for index, (suggestion_id, rank, spec) in enumerate(suggestion_rows):
            # Feedback on this suggestion's variant adds refinement runs that carry the reviewer's words.
            run_matrix, run_spec, feedback_ids = with_feedback(matrix, spec, feedback.get(f"v{rank}", []))
            outcome = run_solve(repo, run_spec, ref=ref, matrix=run_matrix, max_parallel=code.max_parallel,
                                time_budget_s=code.time_budget_s, agent=code.agent)
            outcomes.append((suggestion_id, rank, outcome, feedback_ids))
            stage.progress(int(100 * (index + 1) / len(suggestion_rows)), f"solved: {spec.title}")
        with database.session() as session:
            # Again in the deleting transaction: testers may have evaluated while the agents worked.
            guard_variants_with_evaluations(session, experiment_id, STAGE)
            # Replace this partition's solves and experimental variants (runs and results cascade).
            session.execute(delete(Solve).where(Solve.experiment_id == experiment_id))
            session.execute(delete(Variant).where(Variant.experiment_id == experiment_id, Variant.type == "experiment"))
            summary = []
            for suggestion_id, rank, outcome, feedback_ids in outcomes:
                summary.append(_persist_solve(session, experiment_id, repo, ref, code, model_row_ids,
                                              suggestion_id, rank, outcome))
                link_feedback(session, summary[-1]["run_ids"], outcome.matrix, feedback_ids)
            session.flush()
            built = build_summary(session, experiment_id)
            add_event(session, experiment_id, "checkpoint", stage=STAGE, title=built.line()[:200],
                      status="completed" if built.built else "failed", data=built.to_dict())
    champions = [s for s in summary if s["champion"]]
    return dg.MaterializeResult(metadata={
        **experiment_links(context, database),
        "solves": len(summary),
        "variants": len(champions),
        "variants_built": built.line(),
        "runs": sum(s["runs"] for s in summary),
        "failed_runs": sum(s["failed_runs"] for s in summary),
        "tokens": sum(s["tokens"] for s in summary),
        "cost_usd": round(sum(s["cost_usd"] for s in summary), 6),
        "champions": dg.MetadataValue.json([{k: v for k, v in s.items() if k != "run_ids"} for s in summary]),
        "refinement_runs": sum(1 for s in summary for r in s["strategies"] if r == "feedback_refined"),
        "seconds": round(time.monotonic() - started, 2),
    })


def _persist_solve(session, experiment_id, repo, ref, code, model_row_ids,  # type: ignore[no-untyped-def]
                   suggestion_id, rank, outcome: SolveOutcome) -> dict[str, Any]:
    spec, matrix = outcome.suggestion, outcome.matrix
    solve = Solve(
        experiment_id=experiment_id, suggestion_id=suggestion_id, repo_url=repo, base_branch=ref,
        agent=code.agent, max_parallel=code.max_parallel, time_budget_s=code.time_budget_s,
        matrix={"experiments": [{"run_index": i, "model": c.model.model_id, "temperature": c.temperature,
                                 "mode": c.strategy} for i, c in enumerate(matrix)]},
        limits={"max_parallel": code.max_parallel, "time_budget_s": code.time_budget_s,
                "max_edits": code.max_edits, "max_steps": code.max_steps},
        status="completed" if outcome.champion_index is not None else "failed",
        champion_reason=outcome.champion_reason,
        error_message=None if outcome.champion_index is not None else outcome.champion_reason,
        started_at=min((_when(r.started_at) for r in outcome.runs if r.started_at), default=utcnow()),
        completed_at=utcnow(),
    )
    session.add(solve)
    session.flush()
    run_ids: list[str] = []
    # Every run, retries included (a retry sits after the matrix and names the run it retries).
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
    for event in outcome.events:
        index = event.run_index
        run_id = run_ids[index] if index is not None and 0 <= index < len(run_ids) else None
        add_event(session, experiment_id, event.kind.value, stage=STAGE, run_id=run_id, author_type="agent",
                  title=f"{event.kind.title}: {spec.title}", data=_jsonable(event.data), status=event.status.value)
    champion = None
    if outcome.champion_index is not None:
        champion_run = outcome.runs[outcome.champion_index]
        solve.champion_run_id = run_ids[outcome.champion_index]
        variant = Variant(experiment_id=experiment_id, type="experiment", key=f"v{rank}", suggestion_id=suggestion_id,
                          suggestion=spec.title, source_run_id=solve.champion_run_id, patch=champion_run.diff,
                          deploy_status="queued")
        session.add(variant)
        session.flush()
        session.get(SolveRun, solve.champion_run_id).variant_id = variant.id
        add_event(session, experiment_id, "champion_selected", stage=STAGE,
                  run_id=solve.champion_run_id, title=f"Champion run for: {spec.title}",
                  content=outcome.champion_reason, status="completed")
        champion = {"variant": variant.key, "run": solve.champion_run_id, "reason": outcome.champion_reason}
    return {
        "suggestion": spec.title, "champion": champion, "runs": len(outcome.runs), "run_ids": run_ids,
        "failed_runs": sum(r.status != "completed" for r in outcome.runs),
        "tokens": sum(r.tokens or 0 for r in outcome.runs), "cost_usd": sum(r.cost_usd or 0 for r in outcome.runs),
        "strategies": [c.strategy for c in matrix],
        "seconds": round(outcome.seconds, 2), "reason": outcome.champion_reason,
    }


def _when(value: str | dt.datetime | None) -> dt.datetime | None:
    """Agents report ISO timestamps; the database wants aware datetimes."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)) for k, v in data.items()}
