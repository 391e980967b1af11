"""A bring-up failure's class says whether a retry can help: the app's own install, build, setup or
start failing is BringupFailed (the same commit fails the same way), an install the network broke is
a plain SandboxError (worth another try)."""

from __future__ import annotations

import pytest

from agents.sandbox.base import BringupFailed, CommandResult, SandboxError
from agents.sandbox.steps import failed


def _result(stderr: str, stdout: str = "", exit_code: int = 1) -> CommandResult:
    return CommandResult(exit_code, stdout, stderr, 1000.0)


NETWORK_FAILURES = [
    "npm ERR! code ECONNRESET\nnpm ERR! network aborted\nnpm ERR! network This is a problem related to network",
    "npm ERR! code ETIMEDOUT\nnpm ERR! errno ETIMEDOUT\nnpm ERR! network request to https://registry.npmjs.org failed",
    ("npm ERR! code EAI_AGAIN\nnpm ERR! request to https://registry.npmjs.org/express failed, reason: "
     "getaddrinfo EAI_AGAIN registry.npmjs.org"),
    ("WARNING: Retrying (Retry(total=0)) after connection broken by 'NewConnectionError(\"Failed to establish a "
     "new connection: [Errno -3] Temporary failure in name resolution\")'\nERROR: No matching distribution found"),
    ("ERROR: Exception: urllib3.exceptions.ProtocolError: ('Connection aborted.', ConnectionResetError(104, "
     "'Connection reset by peer'))"),
    "npm ERR! 503 Service Unavailable - GET https://registry.npmjs.org/left-pad",
    "error An unexpected error occurred: \"https://registry.yarnpkg.com/react: Request failed \\\"502 Bad Gateway\\\"\".",
    "ERROR: HTTP error 504 while getting https://files.pythonhosted.org/packages/flask-3.0.whl",
    "npm ERR! code E503",
    "npm ERR! request to https://registry.npmjs.org/vite failed, reason: socket hang up",
]

APP_FAILURES = [
    "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\nnpm ERR! peer react@\"^17\"",
    "npm ERR! code E404\nnpm ERR! 404 Not Found - GET https://registry.npmjs.org/no-such-package-xyz",
    ("ERROR: Could not find a version that satisfies the requirement flask==99.0\n"
     "ERROR: No matching distribution found for flask==99.0"),
    ("error: subprocess-exited-with-error\n  × Building wheel for psycopg2 (pyproject.toml) did not run "
     "successfully.\n  Error: pg_config executable not found."),
    # A number that only looks like a status: line 503 of a compiler's output.
    "src/app.c:503: error: 'foo' undeclared",
]


@pytest.mark.parametrize("stderr", NETWORK_FAILURES)
def test_an_install_the_network_broke_stays_retryable(stderr: str) -> None:
    error = failed("install", _result(stderr), "install", network=True)
    assert isinstance(error, SandboxError) and not isinstance(error, BringupFailed)
    assert str(error).startswith("install failed (exit 1): ") and "worth another try" in str(error)


@pytest.mark.parametrize("stderr", APP_FAILURES)
def test_an_install_the_app_broke_is_a_bringup_failure(stderr: str) -> None:
    assert isinstance(failed("install", _result(stderr), "install", network=True), BringupFailed)


def test_network_errors_without_network_are_the_settings_not_the_network() -> None:
    # Installs with no network here fail on DNS every time: the message names the setting, no retry.
    error = failed("install", _result(NETWORK_FAILURES[2]), "install", network=False)
    assert isinstance(error, BringupFailed) and "VARIANTLAB_SANDBOX__INSTALL_NETWORK=true" in str(error)


@pytest.mark.parametrize("step", ["build", "setup", "setup step 2"])
def test_build_and_setup_failures_are_bringup_failures_even_with_network_words(step: str) -> None:
    # Build and setup run without network: a reset there is the app's own doing.
    error = failed(step, _result("Error: connect ECONNRESET 127.0.0.1:5432"), "build")
    assert isinstance(error, BringupFailed) and str(error).startswith(f"{step} failed (exit 1): ")


@pytest.mark.parametrize("output", [
    "[!] Error: Could not resolve './layouts/BaseLayout.svelte' from src/App.svelte",
    "Module not found: Error: Can't resolve './Components/Header' in '/workspace/src'",
    ('[vite]: Rollup failed to resolve import "./Store.js" from "src/main.js".\n'
     'Error: [plugin:vite:import-analysis] Failed to resolve import "./Store.js" from "src/main.js"'),
])
def test_a_build_that_cannot_find_a_file_the_app_imports_says_it_is_the_app_s_fault(output: str) -> None:
    # Seen on an unseen Svelte app importing './layouts/…' from a folder named 'Layouts': the line
    # told the user to set `build`, which no build command can fix.
    error = failed("build", _result(output), "build")
    assert isinstance(error, BringupFailed)
    assert "the app's own source imports ./" in str(error) and "set `build`" not in str(error)
    # Another step, or a package (not a file of the app) that is missing, keeps the usual hint.
    assert "set `build`" in str(failed("build", _result("Error: Cannot find module 'vite'"), "build"))
