"""The bring-up plan of an app: each stack's detector, composed in order of how specific it is.

A web app found in Python source wins (its package.json, if any, builds assets for it); then a Node
server or static build; then a Procfile; then plain files with an index.html. A Procfile's web: line
is the start command whatever the stack. variantlab.toml overrides any single key at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from agents.sandbox.base import AppConfig, AppKind, NotAWebApp
from agents.sandbox.bringup.files import DiskTree, Tree, read_json
from agents.sandbox.bringup.node import detect_node
from agents.sandbox.bringup.plan import CONFIG_FILE, why
from agents.sandbox.bringup.procfile import procfile
from agents.sandbox.bringup.python import detect_python, python_tests
from agents.sandbox.bringup.static import detect_static
from agents.sandbox.bringup.toml import apply, read_overrides


def detect_plan(root: Path) -> AppConfig:
    return plan_for(DiskTree(root), str(root))


def plan_for(tree: Tree, label: str) -> AppConfig:
    text = tree.read(CONFIG_FILE)
    overrides = read_overrides(text) if text is not None else {}
    try:
        plan = _detected(tree, overrides, label)
    except NotAWebApp:
        if not overrides.keys() & {"start", "static_root", "kind"}:
            raise
        plan = AppConfig(kind=AppKind.CUSTOM if overrides.get("start") else AppKind.STATIC)
    return apply(plan, overrides)


def _serves(plan: AppConfig | None, pinned: Mapping[str, object]) -> bool:
    """The stack says how the app is served, or variantlab.toml does and the stack installs it."""
    return plan is not None and bool(plan.start or plan.build or "start" in pinned)


def _detected(tree: Tree, pinned: Mapping[str, object], label: str) -> AppConfig:
    python = detect_python(tree, pinned)
    node = detect_node(tree)
    start, setup, evidence = procfile(tree, venv=python is not None)
    if _serves(python, pinned):
        plan = _with_node_assets(python, node, tree) if node else python  # type: ignore[arg-type]
    elif _serves(node, pinned):
        plan = node  # type: ignore[assignment]
    elif start:
        plan = python or node or AppConfig(kind=AppKind.PROCFILE)
        plan = replace(plan, evidence=(*plan.evidence, why("kind", plan.kind, "Procfile web: line")))
    else:
        static = detect_static(tree, pinned)
        if static is None:
            raise NotAWebApp(_nothing_found(label, python, node))
        plan = _static_with(static, python or node, tree)
    if start:
        if plan.start:  # the author's own word on how it serves beats what detection found
            evidence = [replace(row, because=f"{row.because}; replaces the detected {plan.start}")
                        if row.key == "start" else row for row in evidence]
        rows = [row for row in plan.evidence if row.key != "start"]
        plan = replace(plan, start=start, setup=(*plan.setup, *setup), evidence=(*rows, *evidence))
    return _with_env_file(plan, tree)


# The example environment files apps commit in place of their .env (which git ignores); a README's
# first step is usually to copy one.
ENV_EXAMPLES = (".env.example", ".env.sample", ".env.template", ".env.dist", ".env.local.example")


def _with_env_file(plan: AppConfig, tree: Tree) -> AppConfig:
    """An app with an example .env gets the copy a new user would make when there is no .env, before
    it builds or starts: its code (or its build) often reads .env and fails without it. The copy is
    guarded, not decided here: a local checkout may hold an untracked .env that the commit the sandbox
    runs does not have."""
    example = next((name for name in ENV_EXAMPLES if tree.read(name) is not None), None)
    if example is None or not (plan.start or plan.build):
        return plan
    copy = f"test -e .env || cp {example} .env"
    because = f"{example} is there and git usually keeps .env out: copied to .env when there is none, as a README would ask"
    if plan.build:
        build = f"{copy}; {plan.build}"
        return replace(plan, build=build, evidence=(*plan.evidence, why("build", build, because)))
    return replace(plan, setup=(copy, *plan.setup), evidence=(*plan.evidence, why("setup", copy, because)))


def _with_node_assets(python: AppConfig, node: AppConfig, tree: Tree) -> AppConfig:
    """A Python app with a package.json: Node installs and builds its assets, Python serves."""
    build = "npm run build" if "build" in (read_json(tree, "package.json").get("scripts") or {}) else None
    installs = [step for step in (node.install, python.install) if step]
    because = "package.json beside the Python app: its dependencies are installed too"
    evidence = [why("install", " && ".join(installs), because)]
    if build:
        evidence.append(why("build", build, "package.json builds the Python app's assets"))
    return replace(python, install=" && ".join(installs) or None, build=build,
                   lockfiles=(*python.lockfiles, *node.lockfiles),
                   dependency_dirs=(*python.dependency_dirs, *node.dependency_dirs),
                   evidence=(*python.evidence, *evidence))


def _static_with(static: AppConfig, stack: AppConfig | None, tree: Tree) -> AppConfig:
    """Plain files, with the install and tests of whatever stack sits beside them."""
    if stack is None:
        test, report, evidence, _ = python_tests(tree, "python3", set())
        return replace(static, test=test, test_report=report, evidence=(*static.evidence, *evidence))
    rows = [row for row in stack.evidence if row.key not in ("kind", "start", "static_root")]
    return replace(stack, kind=AppKind.STATIC, static_root=static.static_root, start=None, build=None,
                   setup=(), evidence=(*static.evidence, *rows))


def _nothing_found(label: str, python: AppConfig | None, node: AppConfig | None) -> str:
    found = []
    if python:
        found.append("Python dependencies but no Flask, Django or FastAPI app")
    if node:
        found.append("a package.json with no server, start script or static build")
    seen = f" (found {' and '.join(found)})" if found else ""
    return (f"not a web app: no index.html, package.json server or build, Python web app or Procfile "
            f"found in {label}{seen}; set `start` (or `static_root`) in {CONFIG_FILE}")
