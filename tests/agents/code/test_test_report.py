"""The app's own tests as the baseline: per-test reports read, tests already failing on the control
recorded and never held against a change, a broken passing test caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.code.outcome import RunConfig, RunOutcome
from agents.code.runner import _test
from agents.code.test_report import TestOutcomes, could_not_start, keeps_baseline, parse_report, run_suite
from agents.llm.base import ModelSpec
from agents.sandbox.base import CommandResult
from tests.agents.conftest import OpenSandbox

JUNIT = """<?xml version="1.0"?><testsuites><testsuite name="s">
<testcase classname="tests.test_auth" name="test_register"/>
<testcase classname="tests.test_auth" name="test_login"><failure message="boom"/></testcase>
<testcase classname="tests.test_auth" name="test_slow"><skipped/></testcase>
<testcase classname="test" name="same name"/><testcase classname="test" name="same name"><error/></testcase>
</testsuite></testsuites>"""
VITEST = json.dumps({"testResults": [{"name": "/w/src/app.test.jsx", "assertionResults": [
    {"fullName": "App shows recipes", "status": "passed"},
    {"fullName": "App pages", "status": "failed"},
    {"fullName": "App todo", "status": "pending"}]}]})


def test_junit_per_test_results() -> None:
    assert parse_report("junit", JUNIT) == {
        "tests.test_auth::test_register": True, "tests.test_auth::test_login": False,
        "test::same name": True, "test::same name#2": False,
    }


def test_vitest_and_jest_json() -> None:
    expected = {"/w/src/app.test.jsx::App shows recipes": True, "/w/src/app.test.jsx::App pages": False}
    assert parse_report("vitest-json", VITEST) == expected == parse_report("jest-json", VITEST)


@pytest.mark.parametrize(("kind", "text"), [(None, JUNIT), ("junit", ""), ("junit", "<not xml"),
                                            ("vitest-json", "{"), ("tap", "ok 1")])
def test_no_readable_report_is_none(kind: str | None, text: str) -> None:
    assert parse_report(kind, text) is None


CONTROL = TestOutcomes(False, {"a": True, "b": True, "c": False})


def test_a_test_already_failing_on_the_control_is_not_held_against_a_change() -> None:
    verdict = keeps_baseline(CONTROL, TestOutcomes(False, {"a": True, "b": True, "c": False}))
    assert verdict.kept is True
    assert "all 2 tests that pass on the control pass" in verdict.note and "already failing" in verdict.note


def test_a_passing_test_that_fails_or_vanishes_is_broken() -> None:
    assert keeps_baseline(CONTROL, TestOutcomes(False, {"a": False, "b": True, "c": True})).broken == ["a"]
    assert keeps_baseline(CONTROL, TestOutcomes(True, {"a": True})).broken == ["b"]


def test_whole_suites_when_the_runner_cannot_say() -> None:
    assert keeps_baseline(TestOutcomes(True), TestOutcomes(True)).kept is True
    assert keeps_baseline(TestOutcomes(True), TestOutcomes(False)).kept is False
    assert keeps_baseline(None, TestOutcomes(False)).kept is False
    unknown = keeps_baseline(TestOutcomes(False), TestOutcomes(False))
    assert unknown.kept is None and "cannot be told" in unknown.note


APP_TEST = """const test = require('node:test'); const assert = require('node:assert');
const fs = require('node:fs');
test('the page greets', () => assert.match(fs.readFileSync('index.html', 'utf8'), /Hello/));
test('already broken on the control', () => assert.ok(false));
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "tests").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>t</title><h1>Hello</h1>")
    (root / "tests" / "page.test.js").write_text(APP_TEST)
    (root / "variantlab.toml").write_text(
        'test = "node --test --test-reporter=junit --test-reporter-destination=$TEST_REPORT_FILE tests/"\n'
        'test_report = "junit"\n')
    return root


def _outcome() -> RunOutcome:
    return RunOutcome(index=0, config=RunConfig(model=ModelSpec(provider="offline", model_id="m", name="m"),
                                                temperature=0.0))


def test_in_a_sandbox_a_change_is_judged_against_the_control_s_passing_tests(app: Path,
                                                                             open_box: OpenSandbox) -> None:

    with open_box(str(app)) as control:
        _, baseline = run_suite(control, control.app.test, control.app.test_report, 60)
    assert not baseline.suite_passed and baseline.per_test is not None
    assert baseline.failing == ["test::already broken on the control"]

    with open_box(str(app)) as sandbox:
        kept = _outcome()
        _test(sandbox, kept, 60, baseline)
        assert kept.tests_passed is True, kept.diagnostics
        assert "already failing on the control" in kept.diagnostics["baseline"]

        sandbox.write_file("index.html", "<!doctype html><title>t</title><h1>Hi</h1>")
        broken = _outcome()
        _test(sandbox, broken, 60, baseline)
        assert broken.tests_passed is False
        assert broken.diagnostics["broken_tests"] == ["test::the page greets"]
        # The report lives outside the work folder: it never shows up in the change.
        assert sandbox.diff().files_changed == ["index.html"]


@pytest.mark.parametrize(("result", "expected"), [
    (CommandResult(127, "", "sh: 1: pytest: not found", 5.0), True),
    (CommandResult(126, "", "sh: ./run-tests: Permission denied", 5.0), True),
    (CommandResult(1, "", "bwrap: execvp npx: No such file or directory", 5.0), True),
    (CommandResult(1, "", "FAILED tests/test_app.py::test_home", 5.0), False),
    (CommandResult(0, "Ran 3 tests\nOK", "", 5.0), False),
    (CommandResult(127, "", "", 60_000.0, timed_out=True), False),
])
def test_a_test_command_that_could_not_start(result: CommandResult, expected: bool) -> None:
    assert could_not_start(result) is expected
