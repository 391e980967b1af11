"""Python dependencies: which file declares them and the pip command that installs them into .venv.

Railpack's order: requirements.txt, then pyproject.toml, then Pipfile, then setup.py / setup.cfg.
Everything goes into one virtualenv at the app root with plain pip, so the same command works for
every source (Pipfile and Poetry groups are read, not handed to their own tools).
"""

from __future__ import annotations

import configparser
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from typing import Any

from agents.sandbox.bringup.files import Tree, has

VENV = "python3 -m venv .venv && .venv/bin/pip install -q --disable-pip-version-check"
DEV_REQUIREMENTS = ("requirements-dev.txt", "requirements_dev.txt", "dev-requirements.txt",
                    "requirements-test.txt", "requirements_test.txt", "test-requirements.txt",
                    "requirements/dev.txt", "requirements/test.txt")
TEST_EXTRAS = ("test", "tests", "testing", "dev")
NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass
class Declared:
    """What the app declares: install arguments for pip, the files that decide them, package names."""

    source: str = ""
    args: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    def install(self, extra: list[str]) -> str:
        return " ".join([VENV, *self.args, *(shlex.quote(name) for name in extra)])


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def names_of(specs: list[str]) -> set[str]:
    return {normal(m.group(1)) for spec in specs if (m := NAME.match(spec))}


def declared(tree: Tree) -> Declared | None:
    if has(tree, "requirements.txt"):
        files = ["requirements.txt", *(name for name in DEV_REQUIREMENTS if has(tree, name))]
        names = set().union(*(_requirements(tree, name) for name in files))
        return Declared(" + ".join(files), [f"-r {name}" for name in files], files, names)
    project = read_toml(tree, "pyproject.toml")
    if "project" in project or "poetry" in project.get("tool", {}):
        return _pyproject(tree, project)
    if has(tree, "Pipfile"):
        pipfile = read_toml(tree, "Pipfile")
        specs = [_pipfile_spec(name, value) for section in ("packages", "dev-packages")
                 for name, value in (pipfile.get(section) or {}).items()]
        files = ["Pipfile", *(["Pipfile.lock"] if has(tree, "Pipfile.lock") else [])]
        return Declared("Pipfile ([packages] and [dev-packages] with pip)", [shlex.quote(s) for s in specs],
                        files, names_of(specs))
    setup = [name for name in ("setup.py", "setup.cfg") if has(tree, name)]
    if setup:
        text = " ".join(tree.read(name) or "" for name in setup)
        # Names are only used to recognise frameworks, so a word search of the setup files is enough.
        names = {normal(w) for w in re.findall(r"[\"'\s]([A-Za-z][\w.-]*)", text)}
        extras = [name for name in TEST_EXTRAS if name in _setup_extras(tree)]
        if not extras:
            return Declared(" + ".join(setup), ["-e ."], setup, names)
        target = shlex.quote(".[" + ",".join(extras) + "]")
        return Declared(f"{' + '.join(setup)} (with its {', '.join(extras)} extras)", ["-e", target], setup, names)
    return None


def _setup_extras(tree: Tree) -> set[str]:
    """The extras setup.py (extras_require={...}) or setup.cfg ([options.extras_require]) declares."""
    found: set[str] = set()
    block = re.search(r"extras_require\s*=\s*(?:dict\(([^)]*)\)|\{(.*?)\})", tree.read("setup.py") or "", re.DOTALL)
    if block and block.group(1) is not None:
        found |= set(re.findall(r"(\w[\w-]*)\s*=", block.group(1)))
    elif block:
        found |= set(re.findall(r"[\"']([\w-]+)[\"']\s*:", block.group(2)))
    cfg = configparser.ConfigParser()
    try:
        cfg.read_string(tree.read("setup.cfg") or "")
    except configparser.Error:
        return found
    if cfg.has_section("options.extras_require"):
        found |= set(cfg.options("options.extras_require"))
    return found


def _requirements(tree: Tree, path: str, depth: int = 0) -> set[str]:
    names: set[str] = set()
    for line in (tree.read(path) or "").splitlines():
        line = line.split(" #")[0].strip()
        if line.startswith(("-r ", "--requirement ")) and depth < 3:
            folder = path.rpartition("/")[0]
            included = line.split(None, 1)[1]
            names |= _requirements(tree, f"{folder}/{included}" if folder else included, depth + 1)
        elif line and not line.startswith(("-", "#")):
            names |= names_of([line])
    return names


def read_toml(tree: Tree, path: str) -> dict[str, Any]:
    try:
        return tomllib.loads(tree.read(path) or "")
    except tomllib.TOMLDecodeError:
        return {}


def _pyproject(tree: Tree, data: dict[str, Any]) -> Declared:
    files = ["pyproject.toml", *(name for name in ("poetry.lock", "uv.lock") if has(tree, name))]
    project = data.get("project") or {}
    optional = project.get("optional-dependencies") or {}
    extras = [name for name in TEST_EXTRAS if name in optional]
    specs = list(project.get("dependencies") or []) + [s for name in extras for s in optional[name]]
    poetry = data.get("tool", {}).get("poetry") or {}
    main = [name for name in poetry.get("dependencies") or {} if name != "python"]
    grouped = [name for group in (poetry.get("group") or {}).values() for name in group.get("dependencies") or {}]
    # PEP 735 groups are not extras either (and older pips lack --group): their specs are named.
    groups = data.get("dependency-groups") or {}
    used = [name for name in TEST_EXTRAS if name in groups]
    grouped += [spec for name in used for spec in _group(groups, name)]
    with_groups = f" + its {', '.join(used)} dependency group" if used else ""
    names = names_of(specs) | {normal(m.group(1)) for n in main + grouped if (m := NAME.match(n))}
    if "build-system" in data:
        # A buildable project is installed as one (src layouts need it to be importable); Poetry's
        # groups are not extras, so their packages are named one by one.
        target = ".[" + ",".join(extras) + "]" if extras else "."
        args = ["-e", shlex.quote(target), *(shlex.quote(n) for n in grouped)]
        return Declared(f"pyproject.toml (the project, editable){with_groups}", args, files, names)
    # Not buildable (no [build-system]): install what it lists and run it from its folder.
    args = [shlex.quote(s) for s in specs] + [shlex.quote(n) for n in main + grouped]
    return Declared(f"pyproject.toml (its dependencies){with_groups}", args, files, names)


def _group(groups: dict[str, Any], name: str, depth: int = 0) -> list[str]:
    """A [dependency-groups] group's requirement strings, following {include-group = "..."}."""
    specs: list[str] = []
    for item in groups.get(name) or []:
        if isinstance(item, str):
            specs.append(item)
        elif isinstance(item, dict) and item.get("include-group") in groups and depth < 5:
            specs += _group(groups, item["include-group"], depth + 1)
    return specs


def _pipfile_spec(name: str, value: Any) -> str:
    version = value if isinstance(value, str) else (value or {}).get("version", "*")
    return name if version in ("*", "") else f"{name}{version}"
