"""Ship fixtures: an app database, a git world (checkout + bare remote) and settings handed in."""

from pathlib import Path

import pytest

from settings import Settings
from tests.pipelines.conftest import app_db  # noqa: F401  (a fixture, used by name)
from tests.ship.world import GitWorld, make_git_world


@pytest.fixture
def world(tmp_path: Path) -> GitWorld:
    return make_git_world(tmp_path / "git")


@pytest.fixture
def settings(app_db: str, tmp_path: Path) -> Settings:  # noqa: F811
    return Settings(database_url=app_db, data_dir=tmp_path / "data")
