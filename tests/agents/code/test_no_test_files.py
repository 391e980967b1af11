"""A test script whose runner finds no test file (vitest, jest and mocha exit 1 for it; pytest 5) means
the app has no tests, not failing ones: on the control as well, the run is judged on its behavioural
checks; after a change only, it is no evidence and does not pass."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from agents.code.outcome import RunConfig, RunOutcome
from agents.code.runner import _test
from agents.code.test_report import TestOutcomes, run_suite
from agents.sandbox.base import CommandResult

VITEST_NONE = "\n RUN  v1.6.0 /workspace\n\ninclude: **/*.{test,spec}.?(c|m)[jt]s?(x)\n\nNo test files found, exiting with code 1\n"
JEST_NONE = "No tests found, exiting with code 1\nRun with `--passWithNoTests` to exit with code 0\n"
PYTEST_NONE = "\n============================ no tests ran in 0.01s =============================\n"
VITEST_FAILED = " Test Files  1 failed (1)\n      Tests  1 failed | 2 passed (3)\n"


def sandbox(exit_code: int, output: str) -> SimpleNamespace:
    return SimpleNamespace(app=SimpleNamespace(test="npm test", env={}, test_report=None),
                           run=lambda *a, **kw: CommandResult(exit_code, output, "", 1.0))


@pytest.mark.parametrize("exit_code, output", [(1, VITEST_NONE), (1, JEST_NONE), (5, PYTEST_NONE)])
def test_a_runner_that_finds_no_test_is_an_app_without_tests(exit_code: int, output: str) -> None:
    _, outcomes = run_suite(sandbox(exit_code, output), "npm test", None, 10.0)  # type: ignore[arg-type]
    assert outcomes == TestOutcomes(suite_passed=True, per_test=None, ran=0, none_found=True)


def test_a_failing_suite_is_still_failing() -> None:
    _, outcomes = run_suite(sandbox(1, VITEST_FAILED), "npm test", None, 10.0)  # type: ignore[arg-type]
    assert not outcomes.suite_passed and not outcomes.none_found


def test_no_test_file_on_the_control_too_judges_the_run_on_its_behaviour() -> None:
    baseline = TestOutcomes(suite_passed=True, ran=0, none_found=True)
    out = RunOutcome(index=0, config=RunConfig("recipe", 0.0))
    _test(sandbox(1, VITEST_NONE), out, 10.0, baseline)  # type: ignore[arg-type]
    assert out.tests_passed is None and out.no_tests, out.diagnostics
    assert "on the control as well" in out.diagnostics["note"]


def test_no_test_file_after_a_change_only_does_not_pass() -> None:
    for baseline in (TestOutcomes(True, ran=3), None):
        out = RunOutcome(index=0, config=RunConfig("recipe", 0.0))
        _test(sandbox(1, VITEST_NONE), out, 10.0, baseline)  # type: ignore[arg-type]
        assert out.tests_passed is False and not out.no_tests, baseline
        assert out.diagnostics["note"] == "the test runner found no tests"
