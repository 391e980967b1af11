"""The stage runner: read, work, write in one transaction, then clean up; a failure writes nothing."""

from typing import Any

import dagster as dg
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assets.stage_runner import StageCall, run_stage
from db.models import StageRun, Suggestion
from db.session import session_scope
from db.stage_names import Stage
from tests.pipelines.conftest import Resources, make_experiment


def _context(experiment_id: str) -> dg.AssetExecutionContext:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    return dg.build_asset_context(partition_key=experiment_id, instance=instance)


class _Steps:
    """A stage whose write adds a suggestion (then fails, if asked), recording what ran."""

    def __init__(self, resources: Resources, fail_in_write: bool = False) -> None:
        self.ran: list[Any] = []
        self.resources = resources
        self.fail_in_write = fail_in_write

    def read(self, session: Session, call: StageCall) -> str:
        self.ran.append(("read", call.stage))
        return "inputs"

    def work(self, inputs: str, call: StageCall) -> str:
        self.ran.append(("work", inputs))
        call.handle.progress(50, "half way")
        return "outcome"

    def write(self, session: Session, inputs: str, outcome: str, call: StageCall) -> dict[str, Any]:
        self.ran.append(("write", inputs, outcome))
        session.add(Suggestion(experiment_id=call.experiment_id, rank=1, title="t", rationale="r"))
        session.flush()
        if self.fail_in_write:
            raise RuntimeError("failed while writing")
        return {"written": 1}

    def after_commit(self, inputs: str, outcome: str, call: StageCall) -> None:
        with self.resources["database"].session() as session:  # committed by now
            self.ran.append(("after_commit", len(session.scalars(select(Suggestion)).all())))

    def run(self, experiment_id: str) -> dg.MaterializeResult:
        return run_stage(_context(experiment_id), self.resources["database"], Stage.VARIANT_SUGGESTIONS,
                         settings=self.resources["settings"], read=self.read, work=self.work, write=self.write,
                         after_commit=self.after_commit)


def test_the_steps_run_in_order_and_the_stage_is_recorded(app_url: str, app_resources: Resources) -> None:
    experiment_id = make_experiment(app_url)
    steps = _Steps(app_resources)
    result = steps.run(experiment_id)
    assert steps.ran == [("read", Stage.VARIANT_SUGGESTIONS), ("work", "inputs"), ("write", "inputs", "outcome"),
                         ("after_commit", 1)]
    assert result.metadata["written"] == 1 and "dashboard" in result.metadata  # with the experiment's links
    with session_scope(app_url) as session:
        run = session.scalars(select(StageRun)).one()
        assert (run.stage, run.status, run.progress) == ("variant_suggestions", "completed", 100)


def test_a_failing_write_leaves_nothing_written_and_no_clean_up(app_url: str, app_resources: Resources) -> None:
    experiment_id = make_experiment(app_url)
    steps = _Steps(app_resources, fail_in_write=True)
    with pytest.raises(RuntimeError, match="failed while writing"):  # retryable: the policy decides
        steps.run(experiment_id)
    assert [step[0] for step in steps.ran] == ["read", "work", "write"]
    with session_scope(app_url) as session:
        assert session.scalars(select(Suggestion)).all() == []
        run = session.scalars(select(StageRun)).one()
        assert run.status == "failed" and "failed while writing" in run.error_message
