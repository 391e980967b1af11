"""Stage 1: the user journeys every variant is measured on (seed 004 test session and flows)."""

import time

import dagster as dg
from sqlalchemy import delete

from agents.browser.snapshot import first_look
from agents.llm.tasks import derive_flows
from agents.sandbox.factory import open_sandbox
from assets.records import dagster_run_id
from db.base import utcnow
from db.experiment_playground import guard_variants_with_evaluations
from db.experiments import add_event, get_experiment
from db.models import TestFlow, TestSession
from db.stages import tracked_stage
from pipelines.partitions import experiments_partitions
from pipelines.policies import EXTERNAL_SERVICE_RETRY, fail_without_retry
from pipelines.resources import AppDatabase

STAGE = "test_flows"


@dg.asset(partitions_def=experiments_partitions, retry_policy=EXTERNAL_SERVICE_RETRY, pool="llm",
          group_name="experiment", kinds={"python"})
def test_flows(context: dg.AssetExecutionContext, database: AppDatabase) -> dg.MaterializeResult:
    """The flows (user journeys) derived from the experiment's goal and a first look at the app."""
    experiment_id = context.partition_key
    url = database.ready_url()
    started = time.monotonic()
    with fail_without_retry(), database.session() as session:
        # Before tracked_stage: a refusal changes nothing, so it leaves no failed run on the record.
        guard_variants_with_evaluations(session, experiment_id, STAGE)
    with fail_without_retry(), tracked_stage(experiment_id, STAGE, url=url,
                                             dagster_run_id=dagster_run_id(context)):
        with database.session() as session:
            experiment = get_experiment(session, experiment_id)
            repo, ref, goal = experiment.repo_url, experiment.base_branch, experiment.goal
        with open_sandbox(repo, ref) as sandbox:
            snapshot = first_look(sandbox.start_preview())
            plan = derive_flows(goal, snapshot)
        with database.session() as session:
            # Again in the deleting transaction: testers may have evaluated while the flows were derived.
            guard_variants_with_evaluations(session, experiment_id, STAGE)
            # Replace what this stage wrote before for this partition: re-materialising is safe. The
            # cascade takes every browser session and log measured on these flows with it.
            session.execute(delete(TestSession).where(TestSession.experiment_id == experiment_id))
            test_session = TestSession(
                experiment_id=experiment_id, name=f"Flows for: {goal[:80]}", prompt=goal, status="ready",
                provider=plan.provider, total_flows=len(plan.value.flows), started_at=utcnow(),
            )
            session.add(test_session)
            session.flush()
            for flow in plan.value.flows:
                session.add(TestFlow(session_id=test_session.id, name=flow.name, description=flow.description,
                                     instructions=flow.instructions, order=flow.order, approved=flow.approved,
                                     task=flow.task.model_dump()))
            add_event(session, experiment_id, "session_created", stage=STAGE, test_session_id=test_session.id,
                      title=f"{len(plan.value.flows)} flows derived from the goal",
                      data={"provider": plan.provider, "flows": [f.name for f in plan.value.flows]})
    return dg.MaterializeResult(metadata={
        "flows": len(plan.value.flows),
        "flow_names": dg.MetadataValue.json([f.name for f in plan.value.flows]),
        "provider": plan.provider,
        "tokens": plan.input_tokens + plan.output_tokens,
        "cost_usd": plan.cost_usd,
        "seconds": round(time.monotonic() - started, 2),
    })
