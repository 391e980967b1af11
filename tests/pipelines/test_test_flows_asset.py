"""The test_flows stage on a scout's inventory (sandbox and scout stand-ins): what it records, when it refuses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

import dagster as dg
import pytest
from sqlalchemy import select

import assets.test_flows as stage
from agents.sandbox.base import AppConfig
from agents.schemas import FieldInfo, FormInfo, FormPurpose, PageInfo, ScoutInventory
from db.models import StageRun, TestFlow, TimelineEvent
from db.session import session_scope
from settings import BrowserSettings
from tests.pipelines.conftest import Resources, make_experiment

URL = "http://127.0.0.1:9/"


class _Preview:
    app = AppConfig(kind="static")
    preview_headers: ClassVar[dict[str, str]] = {"X-Preview-Token": "t"}  # a private preview's token

    def start_preview(self) -> str:
        return URL


def _stand_ins(monkeypatch: pytest.MonkeyPatch, inventory: ScoutInventory) -> None:
    @contextmanager
    def open_sandbox(repo: str, ref: str | None, **handed_in: object) -> Iterator[_Preview]:
        yield _Preview()

    monkeypatch.setattr(stage, "open_sandbox", open_sandbox)
    def scout(url: str, headers: dict[str, str] | None = None, browser: BrowserSettings | None = None) -> ScoutInventory:
        assert (url, headers) == (URL, _Preview.preview_headers)
        assert browser is not None  # the stage hands the scout its browser settings
        return inventory

    monkeypatch.setattr(stage, "scout", scout)


def _context(experiment_id: str) -> dg.AssetExecutionContext:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    return dg.build_asset_context(partition_key=experiment_id, instance=instance)


def test_flows_and_the_dropped_ones_are_recorded(app_url: str, app_resources: Resources,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    signup = FormInfo(page_url=f"{URL}join", purpose=FormPurpose.SIGN_UP, heading="Create your account", fields=[
        FieldInfo(name="email", type="email", required=True), FieldInfo(name="password", type="password")])
    _stand_ins(monkeypatch, ScoutInventory(url=URL, pages=[PageInfo(url=URL), PageInfo(url=f"{URL}join")],
                                           forms=[signup]))
    experiment_id = make_experiment(app_url, goal="New users can't sign up or send us feedback")
    result = stage.test_flows(_context(experiment_id), **app_resources)
    dropped = [{"name": "Send a message", "reason": "no contact or feedback form on the 2 page(s) the scout read"}]
    assert result.metadata["dropped_flows"].data == dropped
    assert result.metadata["scout"].data["forms"] == [{"purpose": "sign_up", "page": f"{URL}join", "fields": 2}]
    with session_scope(app_url) as session:
        assert session.scalars(select(TestFlow.name)).all() == ["Complete the sign-up"]
        event = session.scalars(select(TimelineEvent).where(TimelineEvent.type == "session_created")).one()
        assert event.data["dropped"] == dropped and event.data["scout"]["pages"] == 2
        assert ScoutInventory.model_validate(event.data["inventory"]).forms == [signup]


def test_an_app_that_serves_nothing_fails_in_one_line(app_url: str, app_resources: Resources,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    listing = PageInfo(url=URL, title="Directory listing for /", file_listing=True)
    _stand_ins(monkeypatch, ScoutInventory(url=URL, pages=[listing]))
    experiment_id = make_experiment(app_url)
    with pytest.raises(dg.Failure) as failure:
        stage.test_flows(_context(experiment_id), **app_resources)
    message = f"Nothing to test at {URL}: the app serves only a directory listing and shows no form or item to act on."
    assert failure.value.description == f"NotAWebApp: {message}" and not failure.value.allow_retries
    with session_scope(app_url) as session:
        run = session.scalars(select(StageRun).where(StageRun.stage == "test_flows")).one()
        assert run.status == "failed" and run.error_message == f"NotAWebApp: {message}"
        assert session.scalars(select(TestFlow)).all() == []


def test_an_app_whose_content_comes_from_elsewhere_fails_in_one_line(app_url: str, app_resources: Resources,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    data = "https://shop-1234.firebaseio.example/products.json"
    _stand_ins(monkeypatch, ScoutInventory(url=URL, pages=[PageInfo(url=URL, title="Shop")], offsite_data=[data]))
    experiment_id = make_experiment(app_url)
    with pytest.raises(dg.Failure) as failure:
        stage.test_flows(_context(experiment_id), **app_resources)
    assert failure.value.description == (
        f"ContentOffsite: Nothing to test at {URL}: the app asks shop-1234.firebaseio.example for its content "
        f"(e.g. {data}), and simulated users stay on the app's own origin, so its pages show no item or form to "
        "act on. Serve the content from the app itself (a data file or a local API in the repository), then run "
        "again.")
    assert not failure.value.allow_retries
    with session_scope(app_url) as session:
        assert session.scalars(select(TestFlow)).all() == []


def test_an_app_with_items_of_its_own_goes_on_despite_an_offsite_request(app_url: str, app_resources: Resources,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    signup = FormInfo(page_url=f"{URL}join", purpose=FormPurpose.SIGN_UP, heading="Join", fields=[
        FieldInfo(name="email", type="email", required=True)])
    _stand_ins(monkeypatch, ScoutInventory(url=URL, pages=[PageInfo(url=URL)], forms=[signup],
                                           offsite_data=["https://analytics.example/collect"]))
    experiment_id = make_experiment(app_url, goal="New users can't sign up")
    result = stage.test_flows(_context(experiment_id), **app_resources)
    assert result.metadata["flows"] >= 1
