"""AppSettings: what a deployment or a test sets overrides the environment key by key; keys stay secret.

These tests set VARIANTLAB_* on purpose: the environment is what the resource's fields are laid over."""

import ast
import warnings
from pathlib import Path

import dagster as dg
import pytest
from pydantic import ValidationError

from pipelines.resources import AppSettings
from settings import Settings

KEY = "sk-ant-test-0123456789"


def test_set_fields_override_the_environment_and_the_rest_comes_from_it(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VARIANTLAB_BROWSER__SESSIONS_PER_FLOW", "7")
    monkeypatch.setenv("VARIANTLAB_BROWSER__CONCURRENCY", "3")
    monkeypatch.setenv("VARIANTLAB_CODE__STRATEGIES", '["minimal"]')
    monkeypatch.setenv("VARIANTLAB_DASHBOARD_URL", "https://env.example.com/")
    settings = AppSettings(data_dir="/srv/variantlab", browser={"sessions_per_flow": 1},
                           code={"strategies": ["baseline"]}).build()
    assert (settings.browser.sessions_per_flow, settings.browser.concurrency) == (1, 3)  # merged, not replaced
    assert settings.code.strategies == ["baseline"]
    assert str(settings.data_dir) == "/srv/variantlab" and settings.dashboard_url == "https://env.example.com/"
    assert AppSettings().build() == Settings()  # nothing set: exactly the environment's


def test_an_override_is_checked_like_the_environment():
    with pytest.raises(ValidationError, match="concurency"):  # a typo is refused, not ignored
        AppSettings(browser={"concurency": 2}).build()
    with pytest.raises(ValidationError, match="sessions_per_flow"):
        AppSettings(browser={"sessions_per_flow": 0}).build()


def test_a_key_given_as_an_env_var_reaches_the_run_as_a_secret_and_is_shown_nowhere(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DEPLOYMENT_ANTHROPIC_KEY", KEY)
    seen: dict[str, str] = {}

    @dg.asset
    def probe(context: dg.AssetExecutionContext, settings: AppSettings) -> None:
        llm = settings.build().llm
        seen.update(key=llm.anthropic_api_key.get_secret_value(), shown=f"{settings!r} {llm} {llm!r}")
        context.log.info(f"settings: {settings} {llm}")

    resource = AppSettings(anthropic_api_key=dg.EnvVar("DEPLOYMENT_ANTHROPIC_KEY"))
    result = dg.materialize([probe], resources={"settings": resource})
    assert result.success and seen["key"] == KEY
    assert KEY not in seen["shown"]
    assert not [event for event in result.all_events if KEY in str(event)]
    assert KEY not in repr(AppSettings(github_token=KEY))  # even given as a literal


def test_resolving_the_resource_raises_no_deprecation_warning():
    """A field-less resource sent Dagster's pydantic layer to the deprecated `__fields__` on every use."""

    @dg.asset
    def probe(settings: AppSettings) -> None:
        settings.build()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert dg.materialize([probe], resources={"settings": AppSettings()}).success
    assert not [w for w in caught if "__fields__" in str(w.message)]


# What a run does is configured by its resources. The two readers left are not a run's: AppDatabase's
# unset url (the code location leaves it to the environment) and the CLI's Dagster instance.
SETTINGS_READERS = {"pipelines/resources.py", "pipelines/instances.py"}


def test_assets_and_pipelines_take_their_settings_from_the_resource():
    root = Path(__file__).resolve().parents[2]
    readers = {str(path.relative_to(root)) for package in ("assets", "pipelines")
               for path in (root / package).rglob("*.py")
               if any(isinstance(node, ast.Name | ast.alias) and getattr(node, "id", getattr(node, "name", None))
                      == "get_settings" for node in ast.walk(ast.parse(path.read_text())))}
    assert readers <= SETTINGS_READERS, sorted(readers - SETTINGS_READERS)
