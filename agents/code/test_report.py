"""The app's own tests as the baseline (SWE-bench's PASS_TO_PASS): which tests pass on the unchanged
app, and whether a change broke any of them.

A test that already fails on the control is recorded and shown, never held against a change. The
runner's per-test report (JUnit XML from pytest or `node --test`, vitest's or jest's JSON) says which
tests passed; where a runner cannot say, the whole suite's exit status stands for all of them.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from agents.code.testguard import found_no_tests, ran_count
from agents.sandbox.base import CommandResult, Sandbox

# In the sandbox user's home: outside the work folder (a report never shows up in a diff) and kept
# between commands (each command may get a fresh /tmp).
REPORT_PATH = "$HOME/.variantlab-test-report"
MAX_LISTED = 5


@dataclass(frozen=True)
class TestOutcomes:
    __test__ = False  # a result type, not a pytest test class

    """One run of the suite: its exit status and, when the runner reports it, each test's result."""

    suite_passed: bool
    per_test: dict[str, bool] | None = None  # test id -> passed; None: the runner could not say
    ran: int | None = None  # how many tests the runner's summary says ran; None: it says no count
    none_found: bool = False  # the runner found no test and said so (exiting non-zero, as vitest and jest do)

    @property
    def failing(self) -> list[str]:
        return sorted(t for t, ok in (self.per_test or {}).items() if not ok)


@dataclass(frozen=True)
class BaselineVerdict:
    kept: bool | None  # None: cannot be judged (the control's suite fails and no per-test report)
    note: str = ""
    broken: list[str] = field(default_factory=list)


def parse_report(kind: str | None, text: str) -> dict[str, bool] | None:
    """Per-test results from a runner's report; None when there is none or it cannot be read."""
    if not kind or not text.strip():
        return None
    try:
        if kind == "junit":
            return _junit(text)
        if kind in ("vitest-json", "jest-json"):
            return _jest_like(text)
    except (ET.ParseError, ValueError, TypeError, AttributeError, KeyError):
        return None
    return None


def _junit(text: str) -> dict[str, bool] | None:
    root = ET.fromstring(text)
    results: dict[str, bool] = {}
    for case in root.iter("testcase"):
        if case.find("skipped") is not None:
            continue
        name = f"{case.get('classname') or case.get('file') or ''}::{case.get('name') or ''}"
        unique, n = name, 1
        while unique in results:  # node --test names the class "test" in every file: keep both
            n += 1
            unique = f"{name}#{n}"
        results[unique] = case.find("failure") is None and case.find("error") is None
    return results or None


def _jest_like(text: str) -> dict[str, bool] | None:
    data = json.loads(text)
    results: dict[str, bool] = {}
    for suite in data.get("testResults") or []:
        for test in suite.get("assertionResults") or []:
            if test.get("status") in ("pending", "skipped", "todo", "disabled"):
                continue
            name = f"{suite.get('name', '')}::{test.get('fullName') or test.get('title') or ''}"
            results[name] = test.get("status") == "passed"
    return results or None


def run_suite(sandbox: Sandbox, command: str, report_kind: str | None, timeout_s: float,
              env: dict[str, str] | None = None) -> tuple[CommandResult, TestOutcomes]:
    """Run the app's test command once, with its per-test report written where we can read it."""
    prefix = f'TEST_REPORT_FILE="{REPORT_PATH}"; export TEST_REPORT_FILE; rm -f "$TEST_REPORT_FILE"; '
    result = sandbox.run(prefix + command, timeout_s=timeout_s, env=env or None)
    per_test = None
    if report_kind:
        report = sandbox.run(f'cat "{REPORT_PATH}"', timeout_s=10)
        per_test = parse_report(report_kind, report.stdout) if report.ok else None
    output = f"{result.stdout}\n{result.stderr}"
    if not result.ok and not result.timed_out and found_no_tests(output):
        return result, TestOutcomes(suite_passed=True, per_test=None, ran=0, none_found=True)
    return result, TestOutcomes(suite_passed=result.ok, per_test=per_test, ran=ran_count(output))


def could_not_start(result: CommandResult) -> bool:
    """The test command itself did not start: 126/127 from the shell (not executable, not found),
    "execvp" from bubblewrap. Its tests were expected and are unknown, not absent."""
    if result.timed_out or result.exit_code == 0:
        return False
    return result.exit_code in (126, 127) or "execvp" in result.stderr


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return ", ".join(names[:MAX_LISTED]) + more


def keeps_baseline(baseline: TestOutcomes | None, now: TestOutcomes) -> BaselineVerdict:
    """Did the change keep every test that passed on the control?"""
    if baseline is None:  # no baseline taken: the suite must pass as a whole
        return BaselineVerdict(now.suite_passed, "" if now.suite_passed else "the app's tests fail")
    already = baseline.failing
    known = f"; {len(already)} test(s) already failing on the control, not counted: {_listed(already)}" if already else ""
    if baseline.per_test is not None and now.per_test is not None:
        broken = sorted(t for t, ok in baseline.per_test.items() if ok and not now.per_test.get(t, False))
        if broken:
            return BaselineVerdict(False, f"{len(broken)} test(s) that pass on the control fail now: {_listed(broken)}",
                                   broken)
        return BaselineVerdict(True, f"all {sum(baseline.per_test.values())} tests that pass on the control pass{known}")
    if baseline.suite_passed:
        return BaselineVerdict(now.suite_passed, "the suite passes as on the control" if now.suite_passed
                               else "the suite passes on the control and fails now")
    if now.suite_passed:
        return BaselineVerdict(True, "the suite fails on the control and passes now")
    return BaselineVerdict(None, "the suite already fails on the control and its runner reports no per-test "
                                 "results, so whether the change broke a test cannot be told")
