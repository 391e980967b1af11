"""Which paths are an app's tests, and how many tests a runner says it ran."""

from __future__ import annotations

import pytest

from agents.code.testguard import command_paths, ran_count, runner_reports_counts, touched_tests

UNITTEST = "python3 -m unittest discover -s tests -q"


@pytest.mark.parametrize(("path", "command", "is_test"), [
    ("tests/test_shop_site.py", UNITTEST, True),
    ("tests/shop_html.py", UNITTEST, True),  # a helper the tests import is part of them
    ("checks/site_check.py", "python3 -m unittest discover -s checks -p '*_check.py'", True),
    ("src/app_test.py", "pytest", True),
    ("web/cart.test.js", "npm test", True),
    ("conftest.py", "pytest", True),
    ("variantlab.toml", UNITTEST, True),  # it holds the test command
    ("unittest.py", UNITTEST, True),  # would shadow the runner
    ("index.html", UNITTEST, False),
    ("assets/variantlab-search.js", UNITTEST, False),
    ("products/testing-kit.html", UNITTEST, False),
])
def test_test_paths(path: str, command: str, is_test: bool) -> None:
    assert touched_tests([path], command) == ([path] if is_test else [])


def test_the_app_root_is_never_a_test_path() -> None:
    assert command_paths("python3 -m unittest discover -s . -t ./") == set()
    assert command_paths("pytest --rootdir=qa/ ./e2e/cart_check.py") == {"qa", "e2e/cart_check.py"}


LINE = "-" * 70


@pytest.mark.parametrize(("output", "count"), [
    (f"...\n{LINE}\nRan 12 tests in 0.3s\n\nOK\n", 12),
    (f"\n{LINE}\nRan 0 tests in 0.000s\n\nOK\n", 0),
    ("Ran 1 test in 0.001s\n", 1),
    ("5 passed, 1 failed in 0.12s", 6),
    ("no tests ran in 0.01s", 0),
    ("Tests:       2 passed, 2 total\n", 2),
    ("# tests 4\n# pass 4\n", 4),
    ("  3 passing (20ms)\n", 3),
    ("all good\n", None),
])
def test_tests_ran(output: str, count: int | None) -> None:
    assert ran_count(output) == count


def test_which_runners_always_print_a_count() -> None:
    assert runner_reports_counts(UNITTEST) and runner_reports_counts("python3 -m pytest -q")
    assert not runner_reports_counts("npm test --silent")
