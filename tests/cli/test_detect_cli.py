"""`variantlab detect`: the plan with its evidence as text or JSON; refusals in one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

SPA = {
    "package.json": json.dumps({"scripts": {"build": "vite build", "test": "vitest run"},
                                "devDependencies": {"vite": "5", "vitest": "1"}}),
    "package-lock.json": "{}",
    "index.html": "<div id=root></div>",
}


def _repo(root: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return str(root)


def test_json_is_the_plan_with_its_evidence(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(app, ["detect", "--repo", _repo(tmp_path, SPA), "--json"])
    assert outcome.exit_code == 0, outcome.output
    plan = json.loads(outcome.output)
    assert (plan["kind"], plan["install"].split(" npm ")[-1], plan["build"], plan["static_root"]) == (
        "node", "ci --no-audit --no-fund", "npm run build", "dist")
    assert plan["install"].startswith("CYPRESS_INSTALL_BINARY=0 ")  # E2E browser downloads skipped
    assert plan["test_report"] == "vitest-json" and plan["lockfiles"] == ["package.json", "package-lock.json"]
    build = next(row for row in plan["evidence"] if row["key"] == "build")
    assert build == {"key": "build", "value": "npm run build", "because": "scripts.build runs vite build → serve dist/",
                     "source": "detected"}


def test_text_shows_each_choice_and_why(tmp_path: Path) -> None:
    (tmp_path / "variantlab.toml").write_text('static_root = "out"\n')
    outcome = CliRunner().invoke(app, ["detect", "--repo", _repo(tmp_path, SPA)])
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.output.splitlines()
    assert any(line.split() == ["build", "npm", "run", "build"] for line in lines)
    assert "because package-lock.json → npm ci (exactly the locked versions)" in outcome.output
    root = lines.index(next(line for line in lines if line.split()[:1] == ["static_root"]))
    assert lines[root].split() == ["static_root", "out"]
    assert "variantlab.toml sets it (detected: dist) [variantlab.toml]" in lines[root + 1]


@pytest.mark.parametrize("files, message", [
    ({"README.md": "# notes"}, "not a web app: no index.html"),
    ({"public/index.html": "a", "docs/index.html": "b"}, "set `static_root` in variantlab.toml"),
    ({"index.html": "a", "variantlab.toml": "colour = 'red'\n"}, "unknown key 'colour'"),
])
def test_refusals_are_one_line(tmp_path: Path, files: dict[str, str], message: str) -> None:
    outcome = CliRunner().invoke(app, ["detect", "--repo", _repo(tmp_path, files)])
    assert outcome.exit_code == 2
    assert outcome.output.count("\n") == 1 and outcome.output.startswith("error: ") and message in outcome.output


def test_missing_folder(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(app, ["detect", "--repo", str(tmp_path / "nope")])
    assert outcome.exit_code == 2 and "not a folder" in outcome.output
