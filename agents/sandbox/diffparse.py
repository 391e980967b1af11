"""The change since the starting commit, computed inside the sandbox and parsed on the host."""

from __future__ import annotations

from agents.sandbox.base import DiffSummary

_SEPARATOR = "\x00--variantlab-diff--\x00"
_OPTS = "-c core.quotepath=off diff --no-color --no-ext-diff --no-textconv --no-renames"
# $1 is the base commit. Untracked files are marked intent-to-add so they show up as new files.
DIFF_SCRIPT = (
    "set -e; git add --all --intent-to-add . >/dev/null; "
    f'git {_OPTS} --numstat "$1" --; printf "\\0--variantlab-diff--\\0"; git {_OPTS} "$1" --'
)


def parse_diff(output: str) -> DiffSummary:
    numstat, _, unified = output.partition(_SEPARATOR)
    files: list[str] = []
    added = removed = 0
    for line in numstat.splitlines():
        parts = line.split("\t", 2)
        if len(parts) != 3:
            continue
        plus, minus, name = parts
        files.append(name)
        added += int(plus) if plus.isdigit() else 0  # "-" for binary files
        removed += int(minus) if minus.isdigit() else 0
    return DiffSummary(files_changed=sorted(files), lines_added=added, lines_removed=removed,
                       unified_diff=unified)
