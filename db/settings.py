"""The one settings object. Read lazily through `get_settings()`; never at import time."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SandboxSettings(BaseModel):
    provider: Literal["local", "e2b"] = "local"
    # Where bubblewrap cannot run we refuse; this opts into running untrusted code unisolated.
    allow_unisolated: bool = False
    # The install step alone reaches the package registries; build, setup, start and tests never do.
    install_network: bool = True
    command_timeout_s: float = Field(120.0, gt=0)
    # install, build and setup steps (a cold `npm install` or `vite build` takes minutes, not seconds)
    bringup_timeout_s: float = Field(900.0, gt=0)
    # Resident memory of the whole sandbox (every process together), not address space per process:
    # a Wasm toolchain reserves gigabytes it never touches.
    memory_limit_mb: int = Field(2048, gt=0)
    cpu_time_limit_s: int = Field(300, gt=0)
    max_processes: int = Field(256, gt=0)
    preview_ready_timeout_s: float = Field(20.0, gt=0)
    e2b_api_key: SecretStr | None = None
    e2b_domain: str | None = None
    e2b_template: str = "base"
    e2b_lifetime_s: int = Field(1800, gt=0)
    e2b_public_previews: bool = False


class BrowserSettings(BaseModel):
    provider: Literal["simulated", "browser_use"] = "simulated"
    chromium_path: str | None = None  # None: chromium-headless-shell, else chromium and friends
    sessions_per_flow: int = 4  # one session per persona (searcher, category, scanner, impatient)
    # A goal with few flows still gets a panel large enough to compare arms (more rounds per flow).
    min_sessions_per_variant: int = 16
    concurrency: int = 4
    max_steps: int = 40
    session_timeout_s: float = 60.0
    # How long a user waits for a page to be ready (network quiet, DOM still, no loading placeholder)
    # before the session ends as the site's failure (agents/browser/readiness.py).
    ready_timeout_s: float = Field(10.0, gt=0)
    screenshots: bool = True
    accessibility: bool = True


class LLMSettings(BaseModel):
    provider: Literal["offline", "anthropic", "openai"] = "offline"
    model: str = "offline-heuristics"
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    max_retries: int = 4
    timeout_s: float = 60.0
    cache: bool = True


class CodeAgentSettings(BaseModel):
    agent: Literal["recipe", "tool"] = "recipe"
    models: list[str] = Field(default_factory=lambda: ["offline-recipe"])
    # The matrix is models × temperatures × strategies. The offline recipe agent has no model to
    # sample, so temperature only reshuffles wording; its strategies are the real alternatives
    # ("baseline", "alternative": other placement / on-submit / other wording, "minimal": markup
    # only, "feedback_refined"), so the default matrix builds two different designs.
    temperatures: list[float] = Field(default_factory=lambda: [0.0])
    strategies: list[str] = Field(default_factory=lambda: ["baseline", "alternative"])
    max_parallel: int = 2
    time_budget_s: int = 300
    max_steps: int = 30
    max_edits: int = 20
    max_tokens: int = 200_000


class ExperimentDefaults(BaseModel):
    num_suggestions: int = 3

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, data: object) -> object:
        # Refused rather than ignored: someone who turned installs' network off must not get it on.
        if isinstance(data, dict) and "allow_network_install" in data:
            raise ValueError("VARIANTLAB_EXPERIMENT__ALLOW_NETWORK_INSTALL is now "
                             "VARIANTLAB_SANDBOX__INSTALL_NETWORK (true by default)")
        return data


class GitHubSettings(BaseModel):
    # A token that may push branches and open pull requests on the target repository (fine-grained:
    # contents and pull requests, read and write). Unset: a GitHub remote gets the branch, no pull request.
    token: SecretStr | None = None
    api_url: str = "https://api.github.com"  # GitHub Enterprise: https://HOST/api/v3
    host: str = "github.com"  # a remote on this host is a GitHub repository
    timeout_s: float = Field(30.0, gt=0)


class ShipSettings(BaseModel):
    """`variantlab ship`: the champion as a branch (and, on GitHub, a pull request)."""

    branch_prefix: str = "variantlab/"
    author_name: str = "variantlab"
    author_email: str = "ship@variantlab.invalid"
    # Where reviewers open the evidence; the links in the commit message and pull request point here.
    dashboard_url: str = "http://127.0.0.1:8501"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VARIANTLAB_", env_nested_delimiter="__", env_file=None, extra="ignore"
    )

    data_dir: Path = Path(".variantlab")
    database_url: str | None = None  # None: a SQLite file under data_dir
    dagster_home: Path | None = None
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    browser: BrowserSettings = Field(default_factory=BrowserSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    code: CodeAgentSettings = Field(default_factory=CodeAgentSettings)
    experiment: ExperimentDefaults = Field(default_factory=ExperimentDefaults)
    github: GitHubSettings = Field(default_factory=GitHubSettings)
    ship: ShipSettings = Field(default_factory=ShipSettings)

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.resolve()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'variantlab.db'}"

    @property
    def artifacts_dir(self) -> Path:
        return self.resolved_data_dir / "artifacts"

    @property
    def resolved_dagster_home(self) -> Path:
        return (self.dagster_home or self.resolved_data_dir / "dagster").resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
