"""A rate limit from an outside service becomes a retry of the stage, not a failed experiment; an
error no retry can fix fails the stage at once."""

from pathlib import Path
from typing import ClassVar

import dagster as dg
import pytest
from sqlalchemy import select

import assets.variant_suggestions as suggestions_module
from agents.llm.base import LLMAuthenticationFailed, LLMError, LLMRateLimited, LLMUnavailable
from agents.llm.retry import RetryPolicy, call_with_retries, classify_sdk_error
from agents.sandbox.base import BringupFailed, CommandResult
from agents.sandbox.steps import failed
from db.models import Experiment, StageRun, Suggestion, Variant
from db.session import session_scope
from db.validation import InvalidInput
from pipelines.definitions import build_defs
from pipelines.policies import is_not_retried
from tests.pipelines.conftest import Resources, make_experiment


def _materialize_suggestions(experiment_id: str, resources: Resources):
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    return build_defs(resources).resolve_implicit_global_asset_job_def().execute_in_process(
        partition_key=experiment_id, instance=instance, raise_on_error=False,
        asset_selection=[dg.AssetKey("variant_suggestions")])


def test_rate_limited_stage_is_retried_and_succeeds(app_url: str, app_resources: Resources, monkeypatch):
    experiment_id = make_experiment(app_url)
    with session_scope(app_url) as session:
        session.add(Variant(experiment_id=experiment_id, type="control", key="control", analysis={
            "success": False, "summary": "2/8 sessions completed", "insights": [],
            "issues": ["impatient gave up on page 2 of 6 without finding 'Merino Wool Beanie'"]}))
    real = suggestions_module.suggest_changes
    calls = {"n": 0}

    def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise LLMRateLimited("429 Too Many Requests: retry after 1s")
        return real(*args, **kwargs)

    monkeypatch.setattr(suggestions_module, "suggest_changes", flaky)
    result = _materialize_suggestions(experiment_id, app_resources)
    assert result.success and calls["n"] == 2
    assert any(e.event_type_value == "STEP_RESTARTED" for e in result.all_events)
    with session_scope(app_url) as session:
        statuses = session.scalars(select(StageRun.status).order_by(StageRun.started_at)).all()
        assert statuses == ["failed", "completed"]  # the attempt is on record, the stage succeeded
        # Nothing runs any more and the retry superseded the failure: the experiment is as it was.
        experiment = session.get(Experiment, experiment_id)
        assert (experiment.status, experiment.error_message) == ("pending", None)
        assert len(session.scalars(select(Suggestion)).all()) == 3


def test_missing_upstream_stage_is_not_retried(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)  # no control: variant_suggestions has nothing to work from
    result = _materialize_suggestions(experiment_id, app_resources)
    assert not result.success
    assert not any(e.event_type_value in ("STEP_UP_FOR_RETRY", "STEP_RESTARTED") for e in result.all_events)
    with session_scope(app_url) as session:
        assert session.scalars(select(StageRun.status)).all() == ["failed"]
        experiment = session.get(Experiment, experiment_id)
        assert experiment.status == "failed" and "StageInputMissing" in experiment.error_message


def _rejected_by_provider(status: int) -> LLMError:
    """The error the provider layer raises for an HTTP status, through its own retry policy."""

    class StatusError(Exception):
        status_code = status
        body: ClassVar = {"error": {"message": "invalid x-api-key" if status == 401 else "bad request"}}

    label = "anthropic:claude-sonnet-4-6"

    def classify(exc: BaseException):  # type: ignore[no-untyped-def]
        return classify_sdk_error(exc, status_error=StatusError, timeout_error=TimeoutError,
                                  connection_error=ConnectionError, label=label)

    def call() -> None:
        raise StatusError()

    try:
        call_with_retries(call, errors=(StatusError,), classify=classify, policy=RetryPolicy(), label=label,
                          sleep=lambda _s: None)
    except LLMError as exc:
        return exc
    raise AssertionError("the call did not fail")


def _seed_control(url: str, experiment_id: str) -> None:
    with session_scope(url) as session:
        session.add(Variant(experiment_id=experiment_id, type="control", key="control", analysis={
            "success": False, "summary": "2/8 sessions completed", "insights": [], "issues": []}))


@pytest.mark.parametrize(("error", "expected"), [
    (lambda: _rejected_by_provider(401),
     ("LLMAuthenticationFailed: anthropic:claude-sonnet-4-6: authentication failed (HTTP 401: invalid x-api-key); "
      "check the API key setting")),
    (lambda: _rejected_by_provider(400), "LLMError: anthropic:claude-sonnet-4-6: request rejected (HTTP 400"),
    (lambda: BringupFailed("npm install failed: getaddrinfo ENOTFOUND registry.npmjs.org (no network); "
                           "set VARIANTLAB_SANDBOX__INSTALL_NETWORK or vendor the dependencies"),
     "BringupFailed: npm install failed: getaddrinfo ENOTFOUND registry.npmjs.org"),
    (lambda: failed("build", CommandResult(2, "", "src/main.ts(3,1): error TS2304: Cannot find name 'x'", 900.0),
                    "build"),
     "BringupFailed: build failed (exit 2): src/main.ts(3,1): error TS2304"),
])
def test_a_configuration_failure_fails_once(app_url: str, app_resources: Resources,
                                            monkeypatch, error, expected: str):
    experiment_id = make_experiment(app_url)
    _seed_control(app_url, experiment_id)
    calls = {"n": 0}

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        raise error()

    monkeypatch.setattr(suggestions_module, "suggest_changes", failing)
    result = _materialize_suggestions(experiment_id, app_resources)
    assert not result.success and calls["n"] == 1
    assert not any(e.event_type_value in ("STEP_UP_FOR_RETRY", "STEP_RESTARTED") for e in result.all_events)
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_failure_data.user_failure_data.description.startswith(expected)
    with session_scope(app_url) as session:
        assert session.scalars(select(StageRun.status)).all() == ["failed"]


def _settings_error() -> Exception:
    from pydantic import ValidationError

    from settings import Settings

    try:
        Settings(browser={"concurrency": "abc"})
    except ValidationError as exc:
        return exc
    raise AssertionError("settings validated")


@pytest.mark.parametrize(("error", "retried"), [
    # Transient after the provider's own retries: an outage or a rate limit may pass, the stage tries again.
    (lambda: LLMUnavailable("anthropic: gave up after 5 attempts; last failure: server (HTTP 529)"), True),
    (lambda: LLMRateLimited("429 Too Many Requests"), True),
    (lambda: TimeoutError("sandbox did not answer"), True),
    (lambda: _rejected_by_provider(401), False),
    (lambda: _rejected_by_provider(403), False),
    (lambda: _rejected_by_provider(400), False),
    # No key at all: the provider says so before any request; the next attempt would have none either.
    (lambda: LLMAuthenticationFailed("anthropic: no API key; set VARIANTLAB_LLM__ANTHROPIC_API_KEY"), False),
    (lambda: BringupFailed("no web app"), False),
    # A bring-up step the app itself fails fails the same way next time; an install the network broke may pass.
    (lambda: failed("build", CommandResult(1, "", "src/main.ts(3,1): error TS2304", 900.0), "build"), False),
    (lambda: failed("install", CommandResult(1, "", "npm ERR! code ERESOLVE", 900.0), "install", network=True),
     False),
    (lambda: failed("install", CommandResult(1, "", "npm ERR! code ECONNRESET", 900.0), "install", network=True),
     True),
    (lambda: InvalidInput("--repo is not a git repository"), False),
    (_settings_error, False),
])
def test_what_is_retried(error, retried: bool):
    assert is_not_retried(error()) is not retried


def test_run_prints_the_stage_and_its_cause_in_one_line(app_db: str, monkeypatch, tmp_path):
    """`variantlab run`: the failing stage and its one-line cause, where the full log is, and how to
    re-run; not Dagster's stack trace."""
    from typer.testing import CliRunner

    from cli.main import app

    # The CLI is configured by its environment (app_db's), its Dagster instance by DAGSTER_HOME.
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("COLUMNS", "300")
    experiment_id = make_experiment(app_db)
    _seed_control(app_db, experiment_id)
    monkeypatch.setattr(suggestions_module, "suggest_changes",
                        lambda *a, **k: (_ for _ in ()).throw(_rejected_by_provider(401)))
    result = CliRunner().invoke(app, ["run", experiment_id, "--stage", "variant_suggestions"])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert "Traceback" not in result.output and "Stack Trace" not in result.output and len(lines) <= 6, lines
    cause = ("variant_suggestions failed: LLMAuthenticationFailed: anthropic:claude-sonnet-4-6: authentication failed "
             "(HTTP 401: invalid x-api-key); check the API key setting")
    assert any(line.startswith(f"✗ {cause}") for line in lines), lines
    (log_line,) = [line for line in lines if line.strip().startswith("full log: ")]
    log = Path(log_line.split("full log: ", 1)[1].strip()).read_text()
    assert "authentication failed" in log and "Stack Trace" in log
    assert lines[-1].strip() == f"fix the cause, then re-run from there: variantlab run {experiment_id} " \
                                "--stage variant_suggestions"
