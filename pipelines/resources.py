"""The resources the assets, sensors and schedule use: the app database and the settings a run hands
its agents. Both are configured where the definitions are built (pipelines/definitions.py) or by a test;
what a field leaves unset comes from the VARIANTLAB_* environment, read when a run asks, never at import."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
from pydantic import Field
from sqlalchemy.orm import Session

from db.migrate import ensure_schema
from db.session import session_scope
from settings import Settings, get_settings

# A section's settings by name (settings/model.py), e.g. {"sessions_per_flow": 1}. Settings validates them
# when the resource is built, with the same bounds and the same refusal of unknown names as the environment.
SectionOverrides = dict[str, Any]


def _secret(variable: str) -> Any:
    # repr=False: a literal key (rather than a dg.EnvVar) must not end up in a log line through repr().
    return Field(None, repr=False, description=f"{variable}; pass it as dg.EnvVar(...), never as a literal")


class AppDatabase(dg.ConfigurableResource):
    """The app database. `url` unset means the environment's (VARIANTLAB_DATABASE_URL, else SQLite
    under VARIANTLAB_DATA_DIR): a deployment that sets `AppSettings.data_dir` sets `url` too."""

    url: str | None = None

    def ready_url(self) -> str:
        """The URL, with the schema upgraded to head (once per process)."""
        return ensure_schema(self.url or get_settings().resolved_database_url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.ready_url()) as session:
            yield session


class AppSettings(dg.ConfigurableResource):
    """The settings a run hands its agents, section by section (`build().sandbox`, ...).

    A field that is set overrides the environment; the rest comes from VARIANTLAB_*, read by `build()`
    (pydantic-settings merges the two key by key, so `browser={"sessions_per_flow": 1}` keeps every other
    browser setting the environment gives). Keys belong in `dg.EnvVar("NAME")`: Dagster resolves it when
    a run starts and shows only the variable's name; `build()` keeps them as SecretStr."""

    data_dir: str | None = Field(None, description="VARIANTLAB_DATA_DIR: artifacts, sandboxes, the SQLite file")
    dashboard_url: str | None = Field(None, description="VARIANTLAB_DASHBOARD_URL: where run tags link")
    dagster_url: str | None = Field(None, description="VARIANTLAB_DAGSTER_URL")
    scheduled_run_config: str | None = Field(
        None, description="VARIANTLAB_SCHEDULED_RUN_CONFIG: run config (YAML) of the runs the daemon starts")
    anthropic_api_key: str | None = _secret("VARIANTLAB_LLM__ANTHROPIC_API_KEY")
    openai_api_key: str | None = _secret("VARIANTLAB_LLM__OPENAI_API_KEY")
    e2b_api_key: str | None = _secret("VARIANTLAB_SANDBOX__E2B_API_KEY")
    github_token: str | None = _secret("VARIANTLAB_GITHUB__TOKEN")
    sandbox: SectionOverrides = Field(default_factory=dict, description="VARIANTLAB_SANDBOX__*")
    browser: SectionOverrides = Field(default_factory=dict, description="VARIANTLAB_BROWSER__*")
    llm: SectionOverrides = Field(default_factory=dict, description="VARIANTLAB_LLM__*")
    code: SectionOverrides = Field(default_factory=dict, description="VARIANTLAB_CODE__*")

    def build(self) -> Settings:
        return Settings(**self.overrides())

    def overrides(self) -> dict[str, Any]:
        """What this resource sets, in the shape of Settings; the environment fills in the rest."""
        top = {"data_dir": self.data_dir, "dashboard_url": self.dashboard_url, "dagster_url": self.dagster_url,
               "scheduled_run_config": self.scheduled_run_config}
        sections = {
            "sandbox": {**self.sandbox, **_set(e2b_api_key=self.e2b_api_key)},
            "browser": dict(self.browser),
            "llm": {**self.llm, **_set(anthropic_api_key=self.anthropic_api_key, openai_api_key=self.openai_api_key)},
            "code": dict(self.code),
            "github": _set(token=self.github_token),
        }
        return {**_set(**top), **{name: values for name, values in sections.items() if values}}


def _set(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
