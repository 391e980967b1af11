"""The pipeline tests' app database, for the stage modules' own tests."""

from tests.pipelines.conftest import app_db  # noqa: F401 - a fixture
