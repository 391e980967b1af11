"""Stage 3: concrete UX changes proposed from the goal and what the control panel observed."""

from dataclasses import dataclass

import dagster as dg
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agents.llm.base import LLMResult
from agents.llm.factory import get_provider
from agents.llm.tasks import suggest_changes
from agents.schemas import ScoutInventory, SuggestionList, VariantAnalysis
from assets.records import StageInputMissing
from assets.stage_runner import Metadata, StageCall, run_stage, stage_asset
from db.experiments import add_event, get_experiment
from db.models import Suggestion, TimelineEvent, Variant
from db.stage_names import Stage
from pipelines.policies import EXTERNAL_SERVICE_RETRY
from pipelines.resources import AppDatabase, AppSettings

STAGE = Stage.VARIANT_SUGGESTIONS


@dataclass(frozen=True)
class _Inputs:
    goal: str
    count: int
    control: VariantAnalysis
    inventory: ScoutInventory | None


def scout_inventory(session: Session, experiment_id: str) -> ScoutInventory | None:
    """What the scout found on the rendered app (test_flows keeps it in its session_created event)."""
    data = session.scalars(select(TimelineEvent.data).where(
        TimelineEvent.experiment_id == experiment_id, TimelineEvent.stage == Stage.TEST_FLOWS,
        TimelineEvent.type == "session_created").order_by(TimelineEvent.created_at.desc())).first()
    if not data or not data.get("inventory"):
        return None
    try:
        return ScoutInventory.model_validate(data["inventory"])
    except ValueError:  # an inventory stored by an older version: suggestions do without it
        return None


@stage_asset(STAGE, deps=[Stage.CONTROL_ANALYSIS], retry_policy=EXTERNAL_SERVICE_RETRY, pool="llm")
def variant_suggestions(context: dg.AssetExecutionContext, database: AppDatabase,
                        settings: AppSettings) -> dg.MaterializeResult:
    """The ranked UX changes worth building, each tied to issues observed on the control."""
    return run_stage(context, database, STAGE, settings=settings, read=_read, work=_suggest, write=_write)


def _read(session: Session, call: StageCall) -> _Inputs:
    experiment = get_experiment(session, call.experiment_id)
    control = session.scalars(select(Variant).where(
        Variant.experiment_id == call.experiment_id, Variant.type == "control")).first()
    if control is None or control.analysis is None:
        raise StageInputMissing("the control has not been analysed; materialise control_analysis first")
    return _Inputs(experiment.goal, experiment.num_suggestions, VariantAnalysis(**control.analysis),
                   scout_inventory(session, call.experiment_id))


def _suggest(inputs: _Inputs, call: StageCall) -> LLMResult[SuggestionList]:
    settings = call.settings
    provider = get_provider(llm=settings.llm, data_dir=settings.resolved_data_dir)
    return suggest_changes(inputs.goal, inputs.control, inputs.count, provider, inventory=inputs.inventory)


def _write(session: Session, inputs: _Inputs, answer: LLMResult[SuggestionList], call: StageCall) -> Metadata:
    # Replace this partition's suggestions (solves hang off them and go with them).
    session.execute(delete(Suggestion).where(Suggestion.experiment_id == call.experiment_id))
    suggestions = answer.value.suggestions
    for rank, spec in enumerate(suggestions, start=1):
        session.add(Suggestion(experiment_id=call.experiment_id, rank=rank, title=spec.title,
                               rationale=spec.rationale, addresses_issues=spec.addresses_issues,
                               target_metric=spec.target_metric, recipe=spec.recipe,
                               provider=answer.provider, model=answer.model))
    add_event(session, call.experiment_id, "suggestions_generated", stage=STAGE, title=f"{len(suggestions)} suggestions",
              data={"suggestions": [s.title for s in suggestions], "provider": answer.provider})
    return {
        "suggestions": dg.MetadataValue.json([s.title for s in suggestions]),
        "count": len(suggestions),
        "provider": answer.provider,
        "tokens": answer.input_tokens + answer.output_tokens,
        "cost_usd": answer.cost_usd,
        "cached": answer.cached,
    }
