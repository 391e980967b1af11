"""Stage 1: the user journeys every variant is measured on (a test session and its flows)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

import dagster as dg
from sqlalchemy import delete
from sqlalchemy.orm import Session

from agents.browser.scout import scout
from agents.llm.base import LLMResult
from agents.llm.factory import get_provider
from agents.llm.tasks import derive_flows
from agents.sandbox.base import ContentOffsite, NotAWebApp, describe_plan, plan_as_dict
from agents.sandbox.factory import open_sandbox
from agents.schemas import FlowPlan, ScoutInventory
from assets.stage_runner import Metadata, StageCall, run_stage, stage_asset
from db.base import utcnow
from db.experiments import add_event, get_experiment
from db.models import TestFlow, TestSession
from db.stage_names import Stage
from pipelines.policies import EXTERNAL_SERVICE_RETRY
from pipelines.resources import AppDatabase, AppSettings

STAGE = Stage.TEST_FLOWS


@dataclass(frozen=True)
class _Inputs:
    repo: str
    ref: str
    goal: str


@dataclass(frozen=True)
class _Flows:
    inventory: ScoutInventory
    bringup: dict[str, object]  # how the app came up, with the evidence for each choice
    plan: LLMResult[FlowPlan]


@stage_asset(STAGE, retry_policy=EXTERNAL_SERVICE_RETRY, pool="llm")
def test_flows(context: dg.AssetExecutionContext, database: AppDatabase,
               settings: AppSettings) -> dg.MaterializeResult:
    """The flows (user journeys) derived from the experiment's goal and a scout's inventory of the rendered app."""
    return run_stage(context, database, STAGE, read=_read, settings=settings, work=_derive_flows,
                     write=_write)


def _read(session: Session, call: StageCall) -> _Inputs:
    experiment = get_experiment(session, call.experiment_id)
    return _Inputs(experiment.repo_url, experiment.base_branch, experiment.goal)


def _derive_flows(inputs: _Inputs, call: StageCall) -> _Flows:
    settings = call.settings
    with open_sandbox(inputs.repo, inputs.ref, sandbox=settings.sandbox, data_dir=settings.resolved_data_dir) as sandbox:
        inventory = scout(sandbox.start_preview(), headers=sandbox.preview_headers, browser=settings.browser)
        bringup = plan_as_dict(sandbox.app)
    if not inventory.app_pages and not inventory.forms and not inventory.items:
        raise NotAWebApp(_nothing_served(inventory))  # no retry: the same repo serves the same nothing
    if not inventory.forms and not inventory.items and inventory.offsite_data:
        raise ContentOffsite(_content_offsite(inventory))  # measuring an empty control would mean nothing
    provider = get_provider(llm=settings.llm, data_dir=settings.resolved_data_dir)
    return _Flows(inventory, bringup, derive_flows(inputs.goal, inventory, provider))


def _write(session: Session, inputs: _Inputs, derived: _Flows, call: StageCall) -> Metadata:
    plan, flows = derived.plan, derived.plan.value.flows
    dropped = [d.model_dump() for d in plan.value.dropped]
    # Replace what this stage wrote before for this partition: re-materialising is safe. The cascade
    # takes every browser session and log measured on these flows with it.
    session.execute(delete(TestSession).where(TestSession.experiment_id == call.experiment_id))
    test_session = TestSession(experiment_id=call.experiment_id, name=f"Flows for: {inputs.goal[:80]}",
                               prompt=inputs.goal, status="ready", provider=plan.provider, total_flows=len(flows),
                               started_at=utcnow())
    session.add(test_session)
    # How the app came up, with the evidence for each choice: the report and dashboard show it.
    get_experiment(session, call.experiment_id).bringup_plan = derived.bringup
    session.flush()
    for flow in flows:
        session.add(TestFlow(session_id=test_session.id, name=flow.name, description=flow.description,
                             instructions=flow.instructions, order=flow.order, approved=flow.approved,
                             task=flow.task.model_dump()))
    add_event(session, call.experiment_id, "session_created", stage=STAGE, test_session_id=test_session.id,
              title=f"{len(flows)} flows derived from the goal",
              data={"provider": plan.provider, "flows": [f.name for f in flows], "dropped": dropped,
                    "scout": _summary(derived.inventory),
                    # The whole inventory, for later stages (suggestions that fit the app).
                    "inventory": derived.inventory.model_dump(mode="json")})
    return {
        "flows": len(flows),
        "flow_names": dg.MetadataValue.json([f.name for f in flows]),
        "dropped_flows": dg.MetadataValue.json(dropped),
        "scout": dg.MetadataValue.json(_summary(derived.inventory)),
        "bringup": describe_plan(derived.bringup),
        "provider": plan.provider,
        "tokens": plan.input_tokens + plan.output_tokens,
        "cost_usd": plan.cost_usd,
        "seconds": round(call.elapsed(), 2),
    }


def _nothing_served(inventory: ScoutInventory) -> str:
    pages = inventory.pages
    what = ("serves no page" if not pages else
            f"serves only {'a directory listing' if any(p.file_listing for p in pages) else 'error pages'}")
    return f"Nothing to test at {inventory.url}: the app {what} and shows no form or item to act on."


def _content_offsite(inventory: ScoutInventory) -> str:
    hosts = list(dict.fromkeys(urlsplit(u).netloc for u in inventory.offsite_data))
    return (f"Nothing to test at {inventory.url}: the app asks {', '.join(hosts[:3])} for its content "
            f"(e.g. {inventory.offsite_data[0]}), and simulated users stay on the app's own origin, so its pages "
            "show no item or form to act on. Serve the content from the app itself (a data file or a local API "
            "in the repository), then run again.")


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
