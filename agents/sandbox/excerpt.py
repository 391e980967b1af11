"""The lines of a failing command's output that say why, as one line for an error message.

The last lines are rarely the cause: Node ends a crash with `Node.js v20` and nodemon's "app crashed"
under the `Error: Cannot find module` line, npm ends with where its debug log is, a traceback starts
many lines above its exception. So the lines that name an error are kept, with the last line.
"""

from __future__ import annotations

import re

# CSI sequences (colours, cursor moves), OSC sequences (titles, links) and two-byte escapes.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
CAUSE = re.compile(r"error|exception|traceback|cannot find|ERR!|failed", re.IGNORECASE)
# Lines that match CAUSE but carry nothing: npm's empty `npm ERR!` separators and its pointer to the
# debug log (the path is on the sandbox, out of the user's reach).
_EMPTY = re.compile(r"^(?:npm ERR!\s*|npm ERR! A complete log of this run can be found in:?|npm ERR!\s+\S*_logs\S*)$")
MAX_LINES = 6
MAX_CHARS = 600
_LINE_CHARS = 240
_WITHOUT_CAUSE = 4  # no line names an error: the last few, as before


def _lines(text: str) -> list[str]:
    out = []
    for raw in _ANSI.sub("", text).splitlines():
        line = raw.rsplit("\r", 1)[-1].strip()  # a progress bar redrawn with \r: only its last state
        if line:
            out.append(line if len(line) <= _LINE_CHARS else line[: _LINE_CHARS - 1] + "…")
    return out


def has_cause(text: str) -> bool:
    return any(CAUSE.search(line) and not _EMPTY.match(line) for line in _lines(text))


def cause_excerpt(text: str) -> str:
    """Up to MAX_LINES lines (MAX_CHARS characters) joined by " | ": the lines naming an error (the
    first ones and the latest ones when there are many) and the last line; "no output" for none."""
    lines = _lines(text)
    if not lines:
        return "no output"
    seen: set[str] = set()
    causes = []
    for i, line in enumerate(lines):
        if CAUSE.search(line) and not _EMPTY.match(line) and line not in seen:
            seen.add(line)
            causes.append(i)
    if not causes:
        chosen = list(range(max(0, len(lines) - _WITHOUT_CAUSE), len(lines)))
    else:
        room = MAX_LINES - 1  # the last line always has its place
        if len(causes) > room:
            # The first say what started it (npm's code, a traceback's head), the latest what ended it.
            causes = causes[: room - room // 2] + causes[-(room // 2):]
        # The last line that says something (npm's closing pointer to its debug log does not).
        last = next((i for i in range(len(lines) - 1, -1, -1) if not _EMPTY.match(lines[i])), len(lines) - 1)
        chosen = sorted(set(causes) | ({last} if lines[last] not in {lines[i] for i in causes} else set()))
    parts = [lines[i] for i in chosen]
    while len(parts) > 2 and len(" | ".join(parts)) > MAX_CHARS:
        del parts[len(parts) // 2]  # the middle goes first: the first cause and the last line stay
    joined = " | ".join(parts)
    return joined if len(joined) <= MAX_CHARS else joined[: MAX_CHARS - 1] + "…"
