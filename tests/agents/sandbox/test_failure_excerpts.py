"""A failing step's message carries the lines that say why, not merely the last few."""

from __future__ import annotations

from pathlib import Path

from agents.sandbox.base import CommandResult
from agents.sandbox.excerpt import MAX_CHARS, cause_excerpt
from agents.sandbox.preview import log_excerpt
from agents.sandbox.steps import failed

NODE_CRASH = """\x1b[33m[nodemon] 3.0.1\x1b[39m
\x1b[32m[nodemon] starting `node server.js`\x1b[39m
node:internal/modules/cjs/loader:1080
  throw err;
  ^

Error: Cannot find module 'express-session'
Require stack:
- /workspace/server.js
    at Module._resolveFilename (node:internal/modules/cjs/loader:1077:15)
    at Module._load (node:internal/modules/cjs/loader:922:27)
    at Object.<anonymous> (/workspace/server.js:3:17) {
  code: 'MODULE_NOT_FOUND',
  requireStack: [ '/workspace/server.js' ]
}

Node.js v20.11.0
\x1b[31m[nodemon] app crashed - waiting for file changes before starting...\x1b[39m
"""

NPM_ERESOLVE = """npm WARN config production Use `--omit=dev` instead.
npm ERR! code ERESOLVE
npm ERR! ERESOLVE unable to resolve dependency tree
npm ERR!
npm ERR! While resolving: shop@1.0.0
npm ERR! Found: react@18.2.0
npm ERR! node_modules/react
npm ERR!   react@"^18.2.0" from the root project
npm ERR!
npm ERR! Could not resolve dependency:
npm ERR! peer react@"^17.0.0" from react-table@7.0.0
npm ERR! node_modules/react-table
npm ERR!   react-table@"^7.0.0" from the root project
npm ERR!
npm ERR! Fix the upstream dependency conflict, or retry
npm ERR! this command with --force or --legacy-peer-deps
npm ERR!
npm ERR! A complete log of this run can be found in:
npm ERR!     /home/user/.npm/_logs/2026-12-06T10_00_00_000Z-debug-0.log
"""

PY_TRACEBACK = """ * Serving Flask app 'notes'
 * Debug mode: off
Traceback (most recent call last):
  File "/workspace/.venv/bin/flask", line 8, in <module>
    sys.exit(main())
  File "/workspace/notes/__init__.py", line 4, in <module>
    from flask_sqlalchemy import SQLAlchemy
ModuleNotFoundError: No module named 'flask_sqlalchemy'
"""


def test_a_node_crash_shows_the_missing_module_not_only_the_node_version() -> None:
    text = cause_excerpt(NODE_CRASH)
    assert "Error: Cannot find module 'express-session'" in text
    assert text.endswith("[nodemon] app crashed - waiting for file changes before starting...")
    assert "\x1b" not in text and "[33m" not in text
    assert "Node.js v20" not in text and "at Module._load" not in text  # the frames carry no cause


def test_an_npm_error_block_keeps_its_code_and_drops_the_debug_log_pointer() -> None:
    text = cause_excerpt(NPM_ERESOLVE)
    assert text.startswith("npm ERR! code ERESOLVE | npm ERR! ERESOLVE unable to resolve dependency tree")
    assert "_logs" not in text and "A complete log" not in text and "npm WARN" not in text
    assert len(text.split(" | ")) <= 6 and len(text) <= MAX_CHARS


def test_a_python_traceback_shows_its_exception() -> None:
    text = cause_excerpt(PY_TRACEBACK)
    assert text == "Traceback (most recent call last): | ModuleNotFoundError: No module named 'flask_sqlalchemy'"


def test_without_a_line_naming_an_error_the_last_lines_stand() -> None:
    assert cause_excerpt("a\nb\nc\nd\ne\n") == "b | c | d | e"
    assert cause_excerpt("\n \n") == "no output"


def test_many_error_lines_fit_the_budget_keeping_the_first_and_the_last() -> None:
    lines = [f"Error {i}: " + "x" * 200 for i in range(30)] + ["exiting"]
    text = cause_excerpt("\n".join(lines))
    assert len(text) <= MAX_CHARS and text.startswith("Error 0: ") and text.endswith("exiting")


def test_a_failed_install_names_the_cause_in_its_message() -> None:
    message = str(failed("install", CommandResult(1, "", NPM_ERESOLVE, 900.0), "install"))
    assert message.startswith("install failed (exit 1): npm ERR! code ERESOLVE")
    assert message.endswith("— set `install` in variantlab.toml")


def test_a_cause_printed_on_stdout_is_found_there() -> None:
    # pip's resolver and test runners print their error on stdout; stderr holds only a warning.
    result = CommandResult(1, "Collecting flask==99\nERROR: No matching distribution found for flask==99\n",
                           "WARNING: You are using pip version 23.0\n", 900.0)
    assert "No matching distribution found for flask==99" in str(failed("install", result, "install"))


def test_the_preview_log_excerpt_shows_the_crash(tmp_path: Path) -> None:
    log = tmp_path / "preview.log"
    log.write_text("GET / 200\n" * 20_000 + NODE_CRASH)  # a long log: its end is what is read
    assert "Error: Cannot find module 'express-session'" in log_excerpt(log)
    assert log_excerpt(tmp_path / "missing.log") == "no output"
