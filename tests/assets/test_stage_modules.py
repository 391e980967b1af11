"""Every stage module has the same shape: an asset named by its Stage that hands read, work and write
to the one stage runner, and functions short enough to read at a glance."""

import ast
from pathlib import Path

import pytest

from db.stage_names import MAIN_STAGES, Stage

ASSETS = Path(__file__).resolve().parents[2] / "assets"
MAX_LINES = 40


def _functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [node for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_function_in_assets_is_over_40_lines() -> None:
    long = [f"{path.name}:{f.lineno} {f.name} has {f.end_lineno - f.lineno + 1} lines"
            for path in sorted(ASSETS.glob("*.py")) for f in _functions(path)
            if f.end_lineno - f.lineno + 1 > MAX_LINES]
    assert not long, long


def test_the_check_counts_lines_as_it_says(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    (tmp_path / "stage.py").write_text(f"def stage():\n{body}\n")
    (function,) = _functions(tmp_path / "stage.py")
    assert function.end_lineno - function.lineno + 1 == MAX_LINES + 1


@pytest.mark.parametrize("stage", MAIN_STAGES)
def test_every_stage_of_a_run_is_an_asset_that_goes_through_the_stage_runner(stage: str) -> None:
    module = ASSETS / f"{stage}.py"
    tree = ast.parse(module.read_text())
    (asset,) = [f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == stage]
    (decorator,) = asset.decorator_list
    assert isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "stage_asset"
    calls = {ast.unparse(node.func) for statement in asset.body for node in ast.walk(statement)
             if isinstance(node, ast.Call)}
    assert calls == {"run_stage"}, f"{stage} does more than hand its steps to the runner: {sorted(calls)}"


def test_every_asset_is_keyed_by_a_stage_and_depends_on_stages() -> None:
    from pipelines.definitions import defs

    graph = defs().resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == {stage.value for stage in Stage}
    for key in graph.get_all_asset_keys():
        assert all(type(part) is str for part in key.path)  # Dagster serialises plain strings only
        assert {parent.to_user_string() for parent in graph.get(key).parent_keys} <= keys
    checked = {check.asset_key.to_user_string() for check in graph.asset_check_keys}
    assert checked <= keys and checked


def test_the_runs_stages_are_those_of_the_experiment_job() -> None:
    from pipelines.definitions import defs

    job = defs().resolve_job_def("experiment_job")
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert selected == set(MAIN_STAGES) and Stage.SHIPPED_CHANGE not in selected
