"""Pipeline fixtures: an app database per test and small, fast agent settings."""

from pathlib import Path

import pytest

from db.experiments import create_experiment
from db.migrate import upgrade_to_head
from db.session import session_scope

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", url)
    monkeypatch.setenv("VARIANTLAB_DATA_DIR", str(tmp_path / "data"))
    # One session per persona-flow pair and one temperature keep a full run to tens of seconds.
    monkeypatch.setenv("VARIANTLAB_BROWSER__SESSIONS_PER_FLOW", "1")
    monkeypatch.setenv("VARIANTLAB_BROWSER__MIN_SESSIONS_PER_VARIANT", "1")
    monkeypatch.setenv("VARIANTLAB_CODE__TEMPERATURES", "[0.0]")
    upgrade_to_head(url)
    return url


def make_experiment(url: str, app: str = "shop", goal: str = "Users can't find products easily") -> str:
    with session_scope(url) as session:
        return create_experiment(session, repo=str(EXAMPLES / app), goal=goal).id
