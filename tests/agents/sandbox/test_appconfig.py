"""variantlab.toml parsing and detection without one."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.sandbox.appconfig import load_app_config
from agents.sandbox.base import AppConfig, SandboxError
from tests.agents.sandbox.conftest import BUNDLED, EXAMPLES


def _app(tmp_path: Path, files: dict[str, str]) -> AppConfig:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return load_app_config(tmp_path)


def test_toml_keys_and_empty_strings(tmp_path: Path) -> None:
    app = _app(tmp_path, {"variantlab.toml": 'install = ""\nstart = "node server.js"\ntest = "npm test"\n'
                                              'port = 3001\nstatic_root = "public"\n'})
    assert app == AppConfig(kind="custom", install=None, start="node server.js", test="npm test",
                            port=3001, static_root="public")


@pytest.mark.parametrize("text, message", [
    ("port = 0\n", "port"), ("start = 3\n", "start must be a string"),
    ("colour = 'red'\n", "unknown keys"), ("start = \n", "not valid TOML"),
])
def test_bad_toml_is_explained(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SandboxError, match=message):
        _app(tmp_path, {"variantlab.toml": text})


@pytest.mark.parametrize("files, expected", [
    ({"index.html": "<h1>x</h1>"}, AppConfig(kind="static")),
    ({"package.json": '{"scripts": {"start": "node s.js", "test": "node t.js"}}'},
     AppConfig(kind="node", install="npm install --no-audit --no-fund", start="npm start --silent",
               test="npm test --silent", port=3000)),
    ({"pyproject.toml": "[project]\nname='x'\n"}, AppConfig(kind="python", test="python3 -m pytest -q")),
    ({"README.md": "hi"}, AppConfig(kind="static")),
])
def test_detection_without_config(tmp_path: Path, files: dict[str, str], expected: AppConfig) -> None:
    assert _app(tmp_path, files) == expected


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_apps_are_static_with_tests(name: str) -> None:
    app = load_app_config(EXAMPLES / name)
    assert app.kind == "static" and app.start is None and app.test
