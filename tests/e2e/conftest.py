"""End-to-end fixtures: the pipeline tests' app database (a throwaway SQLite file and small agent settings)."""

from tests.pipelines.conftest import app_db  # noqa: F401  (a fixture, used by name)
