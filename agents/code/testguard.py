"""Whether an app's test run is evidence at all: its tests left as they were, and some of them run.

A test command that exits 0 proves nothing when the agent emptied or deleted the tests it runs (a
stub agent that emptied tests/test_shop_site.py became champion), or when no test ran at all. The
tests are the base commit's: a change that touches them is judged without them, i.e. it fails.

variantlab.toml names only the test command, not the test files, so the test paths are the
command's own start directories plus the usual conventions of unittest, pytest, jest and node:test.
"""

from __future__ import annotations

import re
import shlex
from pathlib import PurePosixPath

TEST_DIRS = {"tests", "test", "__tests__", "spec", "specs"}
_TEST_FILE = re.compile(r"^(test_.*\.py|.*_test\.py|conftest\.py|.*\.(test|spec)\.[cm]?[jt]sx?)$")
# Files that decide what the test command runs or how: the command itself (variantlab.toml), the
# runners' config, and modules that would shadow the runner (`python3 -m unittest` imports a
# unittest.py from the app root before the standard library's).
CONTROL_FILES = {"variantlab.toml", "pytest.ini", "sitecustomize.py", "usercustomize.py",
                 "unittest.py", "pytest.py"}
_CONTROL_DIRS = {"unittest", "pytest", "_pytest"}
# Options whose value is a folder of tests (unittest discover -s/-t, pytest --rootdir, mocha --spec).
_DIR_OPTIONS = {"-s", "--start-directory", "-t", "--top-level-directory", "--rootdir", "--spec"}


def command_paths(command: str | None) -> set[str]:
    """Folders and files the test command names (relative, normalised; never the app root itself)."""
    if not command:
        return set()
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    found: set[str] = set()
    for before, word in zip(["", *words], words):
        value = word.split("=", 1)[1] if word.startswith("--") and "=" in word else word
        named = before in _DIR_OPTIONS or (word.startswith("--") and word.split("=", 1)[0] in _DIR_OPTIONS)
        looks_like_path = not word.startswith("-") and ("/" in word or word.endswith((".py", ".js", ".ts")))
        if named or looks_like_path:
            path = PurePosixPath(value.removeprefix("./")).as_posix().rstrip("/")
            if path not in ("", ".") and not path.startswith(("..", "/")):
                found.add(path)
    return found


def is_test_path(path: str, command: str | None = None) -> bool:
    """Whether changing `path` (relative to the app root) changes the app's tests or how they run."""
    parts = PurePosixPath(path).parts
    if not parts:
        return False
    if parts[-1] in CONTROL_FILES or parts[0] in _CONTROL_DIRS:
        return True
    if any(p in TEST_DIRS for p in parts[:-1]) or _TEST_FILE.match(parts[-1]):
        return True
    return any(path == named or path.startswith(named + "/") for named in command_paths(command))


def touched_tests(files: list[str], command: str | None) -> list[str]:
    return sorted(f for f in files if is_test_path(f, command))


_UNITTEST = re.compile(r"^Ran (\d+) tests? in ", re.MULTILINE)
_PYTEST = re.compile(r"(\d+) (passed|failed|errors?|xfailed|xpassed)\b")
_PYTEST_NONE = re.compile(r"\bno tests ran\b")
_JEST = re.compile(r"^Tests:.*?(\d+) total", re.MULTILINE)
_NODE = re.compile(r"^(?:# |ℹ )tests (\d+)$", re.MULTILINE)
_MOCHA = re.compile(r"^\s*(\d+) passing\b", re.MULTILINE)
# What runners print when they find no test at all and exit non-zero for it (vitest, jest, mocha; pytest's
# exit 5 says "no tests ran"): an app whose test script finds nothing has no tests, not failing ones.
_NONE_FOUND = re.compile(r"\bNo test files found\b|\bNo tests found\b|\bno tests ran\b", re.IGNORECASE)


def found_no_tests(output: str) -> bool:
    """The runner says it found no test to run."""
    return bool(_NONE_FOUND.search(output))


def ran_count(output: str) -> int | None:
    """How many tests the runner says it ran, from its summary line; None when no known summary is there."""
    if found := _UNITTEST.findall(output):
        return sum(int(n) for n in found)
    if _PYTEST_NONE.search(output):
        return 0
    for pattern in (_JEST, _NODE, _MOCHA):
        if found := pattern.findall(output):
            return sum(int(n) for n in found)
    if found := _PYTEST.findall(output):
        return sum(int(n) for n, _ in found)
    return None


def runner_reports_counts(command: str) -> bool:
    """Runners whose summary always names a count when they finish: a missing count means they did not."""
    return bool(re.search(r"\b(unittest|pytest|py\.test)\b", command))
