"""Stage 3: concrete UX changes proposed from the goal and what the control panel observed."""

import dagster as dg
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agents.llm.tasks import suggest_changes
from agents.schemas import ScoutInventory, VariantAnalysis
from assets.records import StageInputMissing, dagster_run_id, experiment_links
from db.experiment_playground import guard_variants_with_evaluations
from db.experiments import add_event, get_experiment
from db.models import Suggestion, TimelineEvent, Variant
from db.stages import tracked_stage
from pipelines.partitions import experiments_partitions
from pipelines.policies import EXTERNAL_SERVICE_RETRY, fail_without_retry
from pipelines.resources import AppDatabase

STAGE = "variant_suggestions"


def scout_inventory(session: Session, experiment_id: str) -> ScoutInventory | None:
    """What the scout found on the rendered app (test_flows keeps it in its session_created event)."""
    data = session.scalars(select(TimelineEvent.data).where(
        TimelineEvent.experiment_id == experiment_id, TimelineEvent.stage == "test_flows",
        TimelineEvent.type == "session_created").order_by(TimelineEvent.created_at.desc())).first()
    if not data or not data.get("inventory"):
        return None
    try:
        return ScoutInventory.model_validate(data["inventory"])
    except ValueError:  # an inventory stored by an older version: suggestions do without it
        return None


@dg.asset(partitions_def=experiments_partitions, deps=["control_analysis"], retry_policy=EXTERNAL_SERVICE_RETRY,
          pool="llm", group_name="experiment", kinds={"python"})
def variant_suggestions(context: dg.AssetExecutionContext, database: AppDatabase) -> dg.MaterializeResult:
    """The ranked UX changes worth building, each tied to issues observed on the control."""
    experiment_id = context.partition_key
    with fail_without_retry(), database.session() as session:
        # Before tracked_stage: a refusal changes nothing, so it leaves no failed run on the record.
        guard_variants_with_evaluations(session, experiment_id, STAGE)
    with fail_without_retry(), tracked_stage(experiment_id, STAGE, url=database.ready_url(),
                                             dagster_run_id=dagster_run_id(context)):
        with database.session() as session:
            experiment = get_experiment(session, experiment_id)
            control = session.scalars(select(Variant).where(
                Variant.experiment_id == experiment_id, Variant.type == "control")).first()
            if control is None or control.analysis is None:
                raise StageInputMissing("the control has not been analysed; materialise control_analysis first")
            goal, n, analysis = experiment.goal, experiment.num_suggestions, VariantAnalysis(**control.analysis)
            inventory = scout_inventory(session, experiment_id)
        answer = suggest_changes(goal, analysis, n, inventory=inventory)
        with database.session() as session:
            # Again in the deleting transaction: testers may have evaluated while the LLM answered.
            guard_variants_with_evaluations(session, experiment_id, STAGE)
            # Replace this partition's suggestions (solves hang off them and go with them).
            session.execute(delete(Suggestion).where(Suggestion.experiment_id == experiment_id))
            for rank, spec in enumerate(answer.value.suggestions, start=1):
                session.add(Suggestion(experiment_id=experiment_id, rank=rank, title=spec.title,
                                       rationale=spec.rationale, addresses_issues=spec.addresses_issues,
                                       target_metric=spec.target_metric, recipe=spec.recipe,
                                       provider=answer.provider, model=answer.model))
            add_event(session, experiment_id, "suggestions_generated", stage=STAGE,
                      title=f"{len(answer.value.suggestions)} suggestions",
                      data={"suggestions": [s.title for s in answer.value.suggestions], "provider": answer.provider})
    return dg.MaterializeResult(metadata={
        **experiment_links(context, database),
        "suggestions": dg.MetadataValue.json([s.title for s in answer.value.suggestions]),
        "count": len(answer.value.suggestions),
        "provider": answer.provider,
        "tokens": answer.input_tokens + answer.output_tokens,
        "cost_usd": answer.cost_usd,
        "cached": answer.cached,
    })
