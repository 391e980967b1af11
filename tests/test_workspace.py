"""workspace.yaml and [tool.dg] must name the same code location, and it must load."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_workspace_and_dg_agree():
    dg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["dg"]
    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text())
    (entry,) = workspace["load_from"]
    module = entry["python_module"]["module_name"]
    assert module.split(".")[0] == dg["project"]["root_module"]
    assert module == f"{dg['project']['root_module']}.definitions"
    assert dg["project"]["defs_module"] == "assets"


def test_code_location_loads_every_stage():
    import importlib

    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text())
    target = workspace["load_from"][0]["python_module"]
    defs = getattr(importlib.import_module(target["module_name"]), target["attribute"])()
    keys = {key.to_user_string() for key in defs.resolve_all_asset_keys()}
    assert keys == {"test_flows", "control_analysis", "variant_suggestions", "variant_implementations",
                    "browser_results", "variant_metrics", "evaluation_metrics"}
    assert {job.name for job in defs.resolve_all_job_defs()} >= {"experiment_job", "evaluation_job"}
