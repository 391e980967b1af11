"""The docs that must match the code: columns, tables, settings, CLI commands, Dagster commands."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import typer
from pydantic import BaseModel
from sqlalchemy import create_engine, inspect

import db.models  # noqa: F401  (fills Base.metadata)
from db.base import Base
from db.migrate import upgrade_to_head
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA_MODEL = ROOT / "docs" / "data-model.md"
OPERATIONS = ROOT / "docs" / "operations.md"
CLI_DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]

CODE_SPAN = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
# `table.column`: lowercase identifiers on both sides; file names are not column references.
COLUMN_REF = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")
FILE_SUFFIXES = {"py", "md", "yaml", "yml", "toml", "csv", "json", "txt", "db", "html", "js"}
ENV_VAR = re.compile(r"\bVARIANTLAB_[A-Z0-9_]+\b")
CLI_MENTION = re.compile(r"(?:^|[\s`$(/])variantlab((?:\s+[a-z][a-z0-9-]*)+)")
DAGSTER_MENTION = re.compile(r"(?:^|[\s`$(/])(dagster(?:-daemon|-webserver)?)((?:\s+[a-z][a-z0-9-]*)*)")


def code_text(path: Path) -> list[str]:
    """Inline code spans and the lines of fenced blocks: where names of real things appear."""
    text = path.read_text()
    lines = [line for block in FENCE.findall(text) for line in block.splitlines()]
    return CODE_SPAN.findall(FENCE.sub("", text)) + lines


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Columns of every table and view, from a database built by the migrations."""
    url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'app.db'}"
    upgrade_to_head(url)
    engine = create_engine(url)
    try:
        found = inspect(engine)
        names = found.get_table_names() + found.get_view_names()
        return {name: {c["name"] for c in found.get_columns(name)} for name in names if name != "alembic_version"}
    finally:
        engine.dispose()


def column_refs(path: Path) -> set[tuple[str, str]]:
    refs = set()
    for span in CODE_SPAN.findall(path.read_text()):
        match = COLUMN_REF.match(span.strip())
        if match and match.group(2) not in FILE_SUFFIXES:
            refs.add((match.group(1), match.group(2)))
    return refs


def test_data_model_names_only_real_columns(schema: dict[str, set[str]]) -> None:
    refs = column_refs(DATA_MODEL)
    assert len(refs) > 200, "the column references were not found; has the doc's notation changed?"
    metadata = {name: {c.name for c in table.columns} for name, table in Base.metadata.tables.items()}
    wrong = sorted(
        f"{table}.{column}" for table, column in refs
        if column not in metadata.get(table, schema.get(table, set()))
    )
    assert not wrong, f"docs/data-model.md names columns that do not exist: {wrong}"


def test_data_model_covers_every_table() -> None:
    spans = set(CODE_SPAN.findall(DATA_MODEL.read_text()))
    mentioned = spans | {table for table, _ in column_refs(DATA_MODEL)}
    missing = sorted(set(Base.metadata.tables) - mentioned)
    assert not missing, f"tables missing from docs/data-model.md: {missing}"


def test_entity_diagram_has_every_table() -> None:
    diagram = re.search(r"```mermaid\n(.*?)```", DATA_MODEL.read_text(), re.DOTALL)
    assert diagram, "docs/data-model.md lost its mermaid erDiagram"
    words = set(re.findall(r"\b[a-z_]+\b", diagram.group(1)))
    missing = sorted(set(Base.metadata.tables) - words)
    assert not missing, f"tables missing from the entity diagram: {missing}"


def test_data_model_covers_every_view(schema: dict[str, set[str]]) -> None:
    views = set(schema) - set(Base.metadata.tables)
    assert views, "the migrations created no views; the doc describes three"
    documented = {table for table, _ in column_refs(DATA_MODEL)}
    assert views <= documented, f"views missing from docs/data-model.md: {sorted(views - documented)}"


def setting_env_vars(model: type[BaseModel] = Settings, prefix: str = "VARIANTLAB_") -> dict[str, object]:
    """Every leaf setting as its environment variable, with its default."""
    found: dict[str, object] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found |= setting_env_vars(annotation, f"{prefix}{name.upper()}__")
        else:
            found[f"{prefix}{name.upper()}"] = field.get_default(call_default_factory=True)
    return found


def test_operations_names_only_real_settings() -> None:
    named = set(ENV_VAR.findall(OPERATIONS.read_text()))
    unknown = sorted(named - set(setting_env_vars()))
    assert not unknown, f"docs/operations.md names settings that do not exist: {unknown}"


def render_default(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def test_operations_lists_every_setting_with_its_default() -> None:
    rows = dict(re.findall(r"^\| `(VARIANTLAB_[A-Z0-9_]+)` \| `([^`]*)` \|", OPERATIONS.read_text(), re.MULTILINE))
    expected = {env: render_default(default) for env, default in setting_env_vars().items()}
    assert set(expected) - set(rows) == set(), f"settings missing from the table: {sorted(set(expected) - set(rows))}"
    wrong = {env: (rows[env], shown) for env, shown in expected.items() if rows[env] != shown}
    assert not wrong, f"defaults in docs/operations.md differ from settings/model.py (doc, code): {wrong}"


def click_tree(command: object) -> dict[str, object]:
    """Nested dict of a click command's subcommands (empty for a leaf)."""
    subcommands = getattr(command, "commands", None)
    if isinstance(subcommands, dict):
        return {name: click_tree(sub) for name, sub in subcommands.items()}
    return {}


def typer_tree(app: typer.Typer) -> dict[str, object]:
    """Nested dict of a Typer app's registered commands and groups, named as the CLI names them."""
    tree: dict[str, object] = {}
    for info in app.registered_commands:
        assert info.callback is not None
        tree[info.name or info.callback.__name__.replace("_", "-")] = {}
    for group in app.registered_groups:
        assert group.name and group.typer_instance is not None
        tree[group.name] = typer_tree(group.typer_instance)
    return tree


def resolve(tree: dict[str, object], words: list[str]) -> str | None:
    """None if `words` starts with a real command path; else what went wrong."""
    if not words:
        return "a command group without a command"
    node = tree
    for word in words:
        if not node:  # a leaf: the rest are arguments
            return None
        if word not in node:
            return f"no command {word!r}"
        node = node[word]  # type: ignore[assignment]
    return None if not node else "a command group without a command"


def test_every_variantlab_command_in_the_docs_exists() -> None:
    from cli.main import app

    tree = typer_tree(app)
    assert {"db", "experiment", "run"} <= set(tree), f"the CLI tree was not read: {sorted(tree)}"
    seen = 0
    problems = []
    for path in CLI_DOCS:
        if not path.exists():
            continue
        for text in code_text(path):
            for match in CLI_MENTION.finditer(text):
                seen += 1
                words = match.group(1).split()
                error = resolve(tree, words)
                if error:
                    problems.append(f"{path.name}: variantlab {' '.join(words)} ({error})")
    assert seen >= 3, "no variantlab commands found in the docs; has the notation changed?"
    assert not problems, problems


def test_every_dagster_command_in_operations_exists() -> None:
    from dagster._cli import cli as dagster_cli
    from dagster._daemon.cli import cli as daemon_cli
    from dagster_webserver.cli import cli as webserver_cli

    trees = {"dagster": click_tree(dagster_cli), "dagster-daemon": click_tree(daemon_cli),
             "dagster-webserver": {}}
    assert "instance" in trees["dagster"] and "run" in trees["dagster-daemon"], "Dagster's CLI tree was not read"
    assert callable(webserver_cli)
    problems = []
    seen = 0
    for text in code_text(OPERATIONS):
        for match in DAGSTER_MENTION.finditer(text):
            program, words = match.group(1), match.group(2).split()
            if program == "dagster" and not words:
                continue  # a name such as dagster_k8s or dagster.yaml
            seen += 1
            tree = trees[program]
            error = resolve(tree, words) if tree else None
            if error:
                problems.append(f"{program} {' '.join(words)} ({error})")
    assert seen >= 3, "no dagster commands found in docs/operations.md; has the notation changed?"
    assert not problems, problems


def test_production_instance_config_is_valid(tmp_path: Path) -> None:
    from dagster._core.instance.config import dagster_instance_config

    shutil.copyfile(ROOT / "pipelines" / "instance" / "production.yaml", tmp_path / "dagster.yaml")
    config, _ = dagster_instance_config(str(tmp_path))
    assert "postgres" in config["storage"]
