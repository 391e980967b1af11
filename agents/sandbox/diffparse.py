"""The change since the starting commit, computed inside the sandbox and parsed on the host."""

from __future__ import annotations

from agents.sandbox.base import DiffSummary

_SEPARATOR = "\x00--variantlab-diff--\x00"
_OPTS = "-c core.quotepath=off diff --no-color --no-ext-diff --no-textconv --no-renames"
# $1 is the base commit, $2 gitignore patterns of what is never a change, the rest pathspecs.
# Untracked files are marked intent-to-add so they show up as new files; ignored files never are.
# The patterns go through an excludes file, not exclude pathspecs: `git add` fails on a pathspec
# that names an ignored path.
DIFF_SCRIPT = (
    'set -e; base=$1; ex=$(mktemp); printf "%s" "$2" > "$ex"; shift 2; '
    'git -c core.excludesFile="$ex" add --all --intent-to-add -- . >/dev/null; rm -f "$ex"; '
    f'git {_OPTS} --numstat "$base" -- "$@"; printf "\\0--variantlab-diff--\\0"; '
    f'git {_OPTS} "$base" -- "$@"'
)
# Installed dependencies and tool caches are never a change, even in a repo with no .gitignore.
_NEVER = ("node_modules", "__pycache__", ".venv", ".pnpm-store", ".npm", ".yarn/cache",
          ".pytest_cache")
# What bring-up (install, build, setup) left in the tree: a build's output, a lockfile the install
# wrote. Not the agent's change, so never part of a diff.
STATUS_ARGV = ["git", "-c", "core.quotepath=off", "status", "--porcelain", "-z", "--untracked-files=normal"]


def parse_status(output: str) -> tuple[str, ...]:
    return tuple(sorted({entry[3:].rstrip("/") for entry in output.split("\0") if len(entry) > 3}))


def _pattern(path: str) -> str:
    """A gitignore pattern matching exactly this path from the root."""
    return "/" + "".join("\\" + c if c in "\\*?[!# " else c for c in path)


def diff_argv(base_commit: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """The command that prints the change since `base_commit` (run it in the workdir), leaving out
    `exclude` (the plan's dependency folders, what bring-up produced)."""
    paths = [name.strip("/") for name in exclude if name.strip("/.")]
    patterns = [*_NEVER, *(_pattern(p) for p in paths)]
    specs = ["."]
    specs += [f":(exclude,glob)**/{name}/**" for name in _NEVER]
    specs += [f":(exclude,literal){p}" for p in paths]
    return ["/bin/sh", "-c", DIFF_SCRIPT, "sh", base_commit, "\n".join(patterns) + "\n", *specs]


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
