"""The Python an app asks for (requires-python, .python-version) against the one the sandbox runs.

Checked at detect time so a 3.14-only app is refused in one line naming the requirement, instead of
failing later inside install or start with a SyntaxError.
"""

from __future__ import annotations

import functools
import re
import subprocess

from agents.sandbox.base import BringupFailed, Evidence
from agents.sandbox.bringup.files import Tree
from agents.sandbox.bringup.plan import CONFIG_FILE, why
from agents.sandbox.bringup.pydeps import read_toml

Version = tuple[int, int]
CLAUSE = re.compile(r"^\s*(~=|===|==|!=|>=|<=|>|<)\s*(\d+)(?:\.(\d+|\*))?")


@functools.cache
def sandbox_python() -> Version:
    """The version of the `python3` the plan's venv is made with (same binary inside the sandbox)."""
    out = subprocess.run(["python3", "-c", "import sys; print(*sys.version_info[:2])"],
                         capture_output=True, text=True, timeout=30, check=False).stdout.split()
    return (int(out[0]), int(out[1])) if len(out) == 2 else (3, 0)


def satisfies(have: Version, spec: str) -> bool:
    """Whether Python major.minor `have` fits a specifier set such as ">=3.10,<4" (unparsed clauses pass)."""
    for clause in spec.split(","):
        found = CLAUSE.match(clause)
        if not found:
            continue
        op, major, minor = found.group(1), int(found.group(2)), found.group(3)
        want = (major, 0 if minor in (None, "*") else int(minor))
        if op in ("==", "===", "!=") and minor in (None, "*"):
            ok = (have[0] == major) == (op != "!=")  # ==3 / ==3.* name a major version only
        else:
            ok = {"~=": have >= want, "==": have == want, "===": have == want, "!=": have != want,
                  ">=": have >= want, "<=": have <= want, ">": have > want, "<": have < want}[op]
        if not ok:
            return False
    return True


def python_requirement(tree: Tree) -> Evidence | None:
    """The evidence row for the Python the app asks for; BringupFailed when the sandbox's is too old."""
    spec, source = None, ""
    requires = (read_toml(tree, "pyproject.toml").get("project") or {}).get("requires-python")
    if isinstance(requires, str) and requires.strip():
        spec, source = requires.strip(), "pyproject.toml requires-python"
    else:
        line = next((ln.strip() for ln in (tree.read(".python-version") or "").splitlines() if ln.strip()), "")
        found = re.match(r"^(?:python|cpython-?)?(\d+)\.(\d+)", line)
        if found:
            # A version pin names what the author runs; any later Python usually runs it too.
            spec, source = f">={found.group(1)}.{found.group(2)}", f".python-version {line}"
    if spec is None:
        return None
    have = sandbox_python()
    running = f"{have[0]}.{have[1]}"
    if not satisfies(have, spec):
        raise BringupFailed(f"the app needs Python {spec} ({source}) but the sandbox runs Python {running}; "
                            f"set `install` in {CONFIG_FILE} to provide a matching Python")
    return why("python", running, f"{source} asks for {spec}; the sandbox's Python {running} fits")
