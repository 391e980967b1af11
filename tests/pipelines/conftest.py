"""Pipeline fixtures: an app database per test and small, fast agent settings."""

import json
from pathlib import Path

import dagster as dg
import pytest

from db.experiments import create_experiment
from db.migrate import upgrade_to_head
from db.session import session_scope
from pipelines.resources import AppDatabase, AppSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


# One session per persona-flow pair and one temperature keep a full run to tens of seconds.
FAST_BROWSER = {"sessions_per_flow": 1, "min_sessions_per_variant": 1,
                "max_sessions_per_variant": 1}  # one round: no stopping rule
FAST_CODE = {"temperatures": [0.0], "strategies": ["baseline"]}  # one design per suggestion

Resources = dict[str, dg.ConfigurableResource]  # by the keys the definitions use: "database", "settings"


def environment_resources() -> Resources:
    """Unset resources: they read the VARIANTLAB_* environment when the run starts, as a CLI run, a
    worker or the daemon does (for the tests whose point is a run beside such processes)."""
    return {"database": AppDatabase(), "settings": AppSettings()}


def _database(tmp_path: Path) -> str:
    """The test's app database, schema at head. One file per test, so app_url and app_db name the same."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade_to_head(url)
    return url


@pytest.fixture
def app_url(tmp_path: Path) -> str:
    """The app database alone: nothing in the environment names it, so the pipeline finds it only
    through the resources it is handed (app_resources)."""
    return _database(tmp_path)


@pytest.fixture
def app_resources(app_url: str, tmp_path: Path) -> Resources:
    """The pipeline's resources as a test configures them: its database, its data dir, a small panel."""
    return {"database": AppDatabase(url=app_url),
            "settings": AppSettings(data_dir=str(tmp_path / "data"), browser=FAST_BROWSER, code=FAST_CODE)}


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The same configuration in the VARIANTLAB_* environment, for what is configured there: the CLI
    (in process or in a subprocess) and assets called with unconfigured resources (`AppSettings()`)."""
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", url := _database(tmp_path))
    monkeypatch.setenv("VARIANTLAB_DATA_DIR", str(tmp_path / "data"))
    for key, value in FAST_BROWSER.items():
        monkeypatch.setenv(f"VARIANTLAB_BROWSER__{key.upper()}", str(value))
    for key, value in FAST_CODE.items():
        monkeypatch.setenv(f"VARIANTLAB_CODE__{key.upper()}", json.dumps(value))
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
