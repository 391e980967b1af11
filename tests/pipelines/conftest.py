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
    monkeypatch.setenv("VARIANTLAB_BROWSER__MAX_SESSIONS_PER_VARIANT", "1")  # one round: no stopping rule
    monkeypatch.setenv("VARIANTLAB_CODE__TEMPERATURES", "[0.0]")
    monkeypatch.setenv("VARIANTLAB_CODE__STRATEGIES", '["baseline"]')  # one design per suggestion
    upgrade_to_head(url)
    return url


def make_experiment(url: str, app: str = "shop", goal: str = "Users can't find products easily") -> str:
    with session_scope(url) as session:
        return create_experiment(session, repo=str(EXAMPLES / app), goal=goal).id


def seed_evaluated_experiment(url: str) -> str:
    """An experiment with a control, a variant v1, its playground and one tester's evaluation of v1."""
    from db.experiment_playground import ensure_experiment_playground
    from db.models import Evaluation, Suggestion, Variant
    from db.users import get_or_create_user

    experiment_id = make_experiment(url)
    with session_scope(url) as session:
        session.add(Suggestion(experiment_id=experiment_id, rank=1, title="Add a search box", recipe="search"))
        analysis = {"success": False, "summary": "2/8 sessions completed", "insights": [], "issues": []}
        session.add_all([Variant(experiment_id=experiment_id, type="control", key="control",
                                 analysis=analysis),
                         Variant(experiment_id=experiment_id, type="experiment", key="v1")])
        session.flush()
        playground = ensure_experiment_playground(session, experiment_id)
        tester = get_or_create_user(session, "t@example.com")
        session.add(Evaluation(playground_id=playground.id, user_id=tester.id, model_key="v1", rating=4,
                               session_id="evs_0000000000000000"))
    return experiment_id
