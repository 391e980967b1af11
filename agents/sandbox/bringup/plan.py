"""Small shared pieces of a plan: evidence rows, the test-report path, one-line refusals."""

from __future__ import annotations

from agents.sandbox.base import AmbiguousPlan, Evidence

CONFIG_FILE = "variantlab.toml"
# Test commands write their per-test report here. The sandbox sets TEST_REPORT_FILE to a path
# outside the work folder and reads it back; without it the report lands in /tmp, never in a diff.
TEST_REPORT = '"${TEST_REPORT_FILE:-/tmp/variantlab-test-report}"'
HOST = "127.0.0.1"  # the sandbox's own loopback: the preview bridge proxies to it


def why(key: str, value: object, because: str) -> Evidence:
    return Evidence(key=key, value="" if value is None else str(value), because=because)


def ambiguous(what: str, choices: list[str], key: str) -> AmbiguousPlan:
    listed = " and ".join(", ".join(choices).rsplit(", ", 1))
    return AmbiguousPlan(f"{what}: {listed} fit equally well; set `{key}` in {CONFIG_FILE} to choose")
