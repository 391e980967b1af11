"""Stage 1: the user journeys every variant is measured on (seed 004 test session and flows)."""

import time

import dagster as dg
from sqlalchemy import delete

from agents.browser.scout import scout
from agents.llm.tasks import derive_flows
from agents.sandbox.base import NotAWebApp, describe_plan, plan_as_dict
from agents.sandbox.factory import open_sandbox
from agents.schemas import ScoutInventory
from assets.records import dagster_run_id, experiment_links
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
    """The flows (user journeys) derived from the experiment's goal and a scout's inventory of the rendered app."""
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
            inventory = scout(sandbox.start_preview(), headers=sandbox.preview_headers)
            bringup = plan_as_dict(sandbox.app)
        if not inventory.app_pages and not inventory.forms and not inventory.items:
            raise NotAWebApp(_nothing_served(inventory))  # no retry: the same repo serves the same nothing
        plan = derive_flows(goal, inventory)
        dropped = [d.model_dump() for d in plan.value.dropped]
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
            # How the app came up, with the evidence for each choice: the report and dashboard show it.
            get_experiment(session, experiment_id).bringup_plan = bringup
            session.flush()
            for flow in plan.value.flows:
                session.add(TestFlow(session_id=test_session.id, name=flow.name, description=flow.description,
                                     instructions=flow.instructions, order=flow.order, approved=flow.approved,
                                     task=flow.task.model_dump()))
            add_event(session, experiment_id, "session_created", stage=STAGE, test_session_id=test_session.id,
                      title=f"{len(plan.value.flows)} flows derived from the goal",
                      data={"provider": plan.provider, "flows": [f.name for f in plan.value.flows],
                            "dropped": dropped, "scout": _summary(inventory),
                            # The whole inventory, for later stages (suggestions that fit the app).
                            "inventory": inventory.model_dump(mode="json")})
    return dg.MaterializeResult(metadata={
        **experiment_links(context, database),
        "flows": len(plan.value.flows),
        "flow_names": dg.MetadataValue.json([f.name for f in plan.value.flows]),
        "dropped_flows": dg.MetadataValue.json(dropped),
        "scout": dg.MetadataValue.json(_summary(inventory)),
        "bringup": describe_plan(bringup),
        "provider": plan.provider,
        "tokens": plan.input_tokens + plan.output_tokens,
        "cost_usd": plan.cost_usd,
        "seconds": round(time.monotonic() - started, 2),
    })


def _nothing_served(inventory: ScoutInventory) -> str:
    pages = inventory.pages
    what = ("serves no page" if not pages else
            f"serves only {'a directory listing' if any(p.file_listing for p in pages) else 'error pages'}")
    return f"Nothing to test at {inventory.url}: the app {what} and shows no form or item to act on."


def _summary(inventory: ScoutInventory) -> dict[str, object]:
    """What the scout found, in the few numbers and names an analyst reads."""
    return {
        "pages": len(inventory.pages),
        "forms": [{"purpose": f.purpose.value, "page": f.page_url, "fields": len(f.fields)} for f in inventory.forms],
        "items": len(inventory.items),
        "search": bool(inventory.controls.search), "search_probe": inventory.controls.search_probe,
        "filters": inventory.controls.filters, "sort": inventory.controls.sort,
        "not_ready": [p.url for p in inventory.pages if p.not_ready],
    }
