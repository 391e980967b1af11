"""The pipeline tests' app database and configured resources, for the stage modules' own tests."""

from tests.pipelines.conftest import app_resources, app_url  # noqa: F401 - fixtures
