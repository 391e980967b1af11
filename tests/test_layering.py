"""Dependencies point one way: cli, dashboard, assets → shipping → agents, db → analysis, ids, settings;
pipelines only wires, below the assets."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


# package → the project packages it must never import
FORBIDDEN = {
    # A leaf: the settings are read by every layer, so they can depend on none of them.
    "settings": {"agents", "analysis", "assets", "cli", "dashboard", "db", "ids", "pipelines", "shipping"},
    # A leaf too: the database keys its rows with these ids and the browser agent names its artifacts with them.
    "ids": {"agents", "analysis", "assets", "cli", "dashboard", "db", "pipelines", "settings", "shipping"},
    "analysis": {"agents", "assets", "cli", "dashboard", "db", "ids", "pipelines", "shipping"},
    "db": {"agents", "assets", "cli", "dashboard", "pipelines", "shipping"},
    # The agents take plain values and settings sections; what they read from or write to the database
    # is their callers' business (the stages in assets/, the shipping service).
    "agents": {"assets", "cli", "dashboard", "db", "pipelines", "shipping"},
    # The application service over agents/ship and db, which the CLI, the dashboard and the stage call.
    "shipping": {"assets", "cli", "dashboard", "pipelines"},
    "dashboard": {"assets", "cli", "pipelines"},
    "assets": {"cli", "dashboard"},
    # The definitions load the stage assets from the defs folder (pyproject's defs_module) without
    # importing them, so every wiring module stands below the assets: they may use its resources,
    # partitions and policies without a cycle.
    "pipelines": {"assets", "cli", "dashboard", "shipping"},
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_downwards(package: str) -> None:
    wrong = {f"{path.relative_to(ROOT)} imports {name}"
             for path in (ROOT / package).rglob("*.py") for name in _imports(path) & FORBIDDEN[package]}
    assert not wrong, sorted(wrong)



# No agent reads the process's settings (docs/architecture.md, "A setting"): every entry point takes
# its section from its caller (a stage's StageCall.settings, the CLI's get_settings(), a test's own
# settings object) and hands it down. Not even as a fallback: a caller that forgot would silently get
# the environment's settings instead of failing at once.
def test_agents_never_read_the_process_settings() -> None:
    readers = {str(path.relative_to(ROOT)) for path in (ROOT / "agents").rglob("*.py")
               if any(isinstance(node, ast.Name | ast.alias | ast.Attribute)
                      and (getattr(node, "id", None) or getattr(node, "name", None) or getattr(node, "attr", None))
                      == "get_settings" for node in ast.walk(ast.parse(path.read_text())))}
    assert not readers, sorted(readers)
