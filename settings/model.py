"""The one settings object. Read lazily through `get_settings()`; never at import time."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Every number has a range and every string a length, so a typo (0 browsers, a timeout of -1, a
# budget of 10**12) is refused in one line when a command starts, not found hours into a run. The
# upper bounds are far above any real use and well below what would exhaust the machine.
DAY_S = 86_400
# A name: a model id, a strategy, an E2B template.
Name = Annotated[str, Field(min_length=1, max_length=200)]
# A URL or a path, as long as the longest real ones.
Location = Annotated[str, Field(min_length=1, max_length=2000)]
# The code-agent matrix is models × temperatures × strategies: each list is short.
MAX_MATRIX_AXIS = 10


class _Section(BaseModel):
    # VARIANTLAB_BROWSER__CONCURENCY (a typo) is refused naming the settings there are, rather than
    # silently leaving the default in force.
    model_config = ConfigDict(extra="forbid")


class SandboxSettings(_Section):
    provider: Literal["local", "e2b"] = "local"
    # Where bubblewrap cannot run we refuse; this opts into running untrusted code unisolated.
    allow_unisolated: bool = False
    # The install step alone reaches the package registries; build, setup, start and tests never do.
    install_network: bool = True
    command_timeout_s: float = Field(120.0, gt=0, le=DAY_S, allow_inf_nan=False)
    # install, build and setup steps (a cold `npm install` or `vite build` takes minutes, not seconds)
    bringup_timeout_s: float = Field(900.0, gt=0, le=DAY_S, allow_inf_nan=False)
    # Resident memory of the whole sandbox (every process together), not address space per process:
    # a Wasm toolchain reserves gigabytes it never touches.
    memory_limit_mb: int = Field(2048, gt=0, le=1_048_576)  # at most 1 TiB
    cpu_time_limit_s: int = Field(300, gt=0, le=DAY_S)
    max_processes: int = Field(256, gt=0, le=65_536)
    preview_ready_timeout_s: float = Field(20.0, gt=0, le=3600, allow_inf_nan=False)
    e2b_api_key: SecretStr | None = None
    e2b_domain: str | None = Field(None, min_length=1, max_length=253)  # a DNS name
    e2b_template: Name = "base"
    e2b_lifetime_s: int = Field(1800, gt=0, le=DAY_S)
    e2b_public_previews: bool = False


class BrowserSettings(_Section):
    provider: Literal["simulated", "browser_use"] = "simulated"
    chromium_path: Location | None = None  # None: chromium-headless-shell, else chromium and friends
    sessions_per_flow: int = Field(4, ge=1, le=100)  # one session per persona (searcher, category, scanner, impatient)
    # A goal with few flows still gets a panel large enough to compare arms (more rounds per flow).
    min_sessions_per_variant: int = Field(16, ge=1, le=10_000)
    # The variant panel (browser_results) runs until it decides (analysis/stopping.py): the panel above is
    # its first round, then rounds of this many sessions per variant until the primary metric is decided
    # on always-valid intervals or a budget is spent. The defaults let the demo shop's effect decide
    # within a few minutes; the first round always runs in full.
    round_sessions_per_variant: int = Field(16, ge=1, le=10_000)
    max_sessions_per_variant: int = Field(160, ge=1, le=100_000)
    # Wall time of the variant panel; a round that would overrun it is not started.
    panel_time_budget_s: float = Field(120.0, gt=0, le=DAY_S, allow_inf_nan=False)
    # Browsers at once: each is a Chromium of a few hundred MB.
    concurrency: int = Field(4, ge=1, le=64)
    max_steps: int = Field(40, ge=1, le=1000)
    session_timeout_s: float = Field(60.0, gt=0, le=3600, allow_inf_nan=False)
    # How long a user waits for a page to be ready (network quiet, DOM still, no loading placeholder)
    # before the session ends as the site's failure (agents/browser/readiness.py).
    ready_timeout_s: float = Field(10.0, gt=0, le=600, allow_inf_nan=False)
    screenshots: bool = True
    accessibility: bool = True


class LLMSettings(_Section):
    provider: Literal["offline", "anthropic", "openai"] = "offline"
    model: Name = "offline-heuristics"
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: Location | None = None
    openai_api_key: SecretStr | None = None
    openai_base_url: Location | None = None
    max_retries: int = Field(4, ge=0, le=20)
    timeout_s: float = Field(60.0, gt=0, le=3600, allow_inf_nan=False)
    cache: bool = True


class CodeAgentSettings(_Section):
    agent: Literal["recipe", "tool"] = "recipe"
    models: list[Name] = Field(default_factory=lambda: ["offline-recipe"], min_length=1, max_length=MAX_MATRIX_AXIS)
    # The matrix is models × temperatures × strategies. The offline recipe agent has no model to
    # sample, so temperature only reshuffles wording; its strategies are the real alternatives
    # ("baseline", "alternative": other placement / on-submit / other wording, "minimal": markup
    # only, "feedback_refined"), so the default matrix builds two different designs.
    temperatures: list[Annotated[float, Field(ge=0.0, le=2.0)]] = Field(
        default_factory=lambda: [0.0], min_length=1, max_length=MAX_MATRIX_AXIS)
    strategies: list[Name] = Field(default_factory=lambda: ["baseline", "alternative"], min_length=1,
                                   max_length=MAX_MATRIX_AXIS)
    max_parallel: int = Field(2, ge=1, le=64)
    time_budget_s: int = Field(300, gt=0, le=DAY_S)
    max_steps: int = Field(30, ge=1, le=1000)
    max_edits: int = Field(20, ge=1, le=1000)
    max_tokens: int = Field(200_000, ge=1, le=100_000_000)


class ExperimentDefaults(_Section):
    # Range-checked where it is used (db/experiments.py default_num_suggestions), with --suggestions' rule.
    num_suggestions: int = 3

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, data: object) -> object:
        # Refused rather than ignored: someone who turned installs' network off must not get it on.
        if isinstance(data, dict) and "allow_network_install" in data:
            raise ValueError("VARIANTLAB_EXPERIMENT__ALLOW_NETWORK_INSTALL is now "
                             "VARIANTLAB_SANDBOX__INSTALL_NETWORK (true by default)")
        return data


class GitHubSettings(_Section):
    # A token that may push branches and open pull requests on the target repository (fine-grained:
    # contents and pull requests, read and write). Unset: a GitHub remote gets the branch, no pull request.
    token: SecretStr | None = None
    api_url: Location = "https://api.github.com"  # GitHub Enterprise: https://HOST/api/v3
    host: Name = "github.com"  # a remote on this host is a GitHub repository
    timeout_s: float = Field(30.0, gt=0, le=3600, allow_inf_nan=False)


class ShipSettings(_Section):
    """`variantlab ship`: the champion as a branch (and, on GitHub, a pull request)."""

    branch_prefix: Name = "variantlab/"
    author_name: Name = "variantlab"
    author_email: Name = "ship@variantlab.invalid"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VARIANTLAB_", env_nested_delimiter="__", env_file=None, extra="ignore"
    )

    data_dir: Path = Path(".variantlab")
    database_url: Location | None = None  # None: a SQLite file under data_dir
    dagster_home: Path | None = None
    # Where people open the dashboard and the Dagster UI. Everything that points at an experiment or a
    # run links there: Dagster run tags and materialisations, `variantlab run`, shipped pull requests.
    dashboard_url: Location = "http://127.0.0.1:8501"
    dagster_url: Location = "http://127.0.0.1:3000"
    # Run config (YAML) for the runs the daemon starts (new-experiment sensor, evaluation schedule);
    # pipelines/instance/celery_run.yaml sends their steps to Celery workers. None: Dagster's default.
    scheduled_run_config: Path | None = None
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
