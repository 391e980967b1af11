"""The dashboard's "Open pull request" beside Approve: ships the approved champion, shows the link."""

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import User
from db.session import session_scope
from tests.ship.world import GitWorld, git, seed_shippable

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def _timeline(url: str, experiment_id: str) -> AppTest:
    with session_scope(url) as s:
        analyst = s.scalar(select(User.id).where(User.email == "ana@example.com"))
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = analyst
    at.session_state["experiment_id"] = experiment_id
    at.run()
    at.switch_page("views/timeline.py").run()
    return at


def _button(at: AppTest):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == "Open pull request")


@pytest.mark.parametrize("approved", [True, False])
def test_open_pull_request_ships_the_approved_champion(app_db: str, world: GitWorld, approved: bool):
    experiment_id = seed_shippable(app_db, world, approved=approved)
    at = _timeline(app_db, experiment_id)
    assert not at.exception
    if not approved:
        assert _button(at).disabled
        return
    _button(at).click().run()
    assert not at.exception and not at.error
    branch = f"variantlab/{experiment_id}-v1"
    assert [m.value for m in at.success] == [f"Shipped v1: {world.remote}#{branch}"]
    assert git("rev-parse", branch, cwd=world.remote)
    at.run()
    assert any(c.value == f"Shipped: {world.remote}#{branch}" for c in at.caption)
