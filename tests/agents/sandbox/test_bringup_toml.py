"""variantlab.toml overrides single keys of the detected plan; the bundled examples need none."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from agents.sandbox.appconfig import load_app_config
from agents.sandbox.base import AmbiguousPlan, AppConfig, NotAWebApp, SandboxError
from tests.agents.sandbox.conftest import BUNDLED, EXAMPLES
from tests.agents.sandbox.test_bringup_stacks import PAGE, package, write

VITE = {"package.json": package({"build": "vite build", "test": "vitest run"}), "package-lock.json": "{}"}


def with_toml(tmp_path: Path, files: dict[str, str], toml: str) -> AppConfig:
    return load_app_config(write(tmp_path, {**files, "variantlab.toml": toml}))


@pytest.mark.parametrize("toml, key, value", [
    ('install = "npm install"', "install", "npm install"),
    ('build = ""', "build", None),
    ('setup = "npm run seed"', "setup", ("npm run seed",)),
    ('setup = ["a", "b"]', "setup", ("a", "b")),
    ('test = ""', "test", None),
    ("port = 5173", "port", 5173),
    ('static_root = "dist/app/"', "static_root", "dist/app"),
    ('env = { NODE_OPTIONS = "--max-old-space-size=4096", CI = true }', "env",
     (("NODE_OPTIONS", "--max-old-space-size=4096"), ("CI", "true"))),
    ('kind = "custom"', "kind", "custom"),
])
def test_one_key_changes_and_the_rest_stays_detected(tmp_path: Path, toml: str, key: str, value: object) -> None:
    detected = load_app_config(write(tmp_path / "plain", VITE))
    app = with_toml(tmp_path / "over", VITE, toml)
    assert getattr(app, key) == value
    others = {f.name for f in dataclasses.fields(AppConfig)} - {key, "evidence"}
    assert all(getattr(app, name) == getattr(detected, name) for name in others)
    row = next(row for row in app.evidence if row.key == key)
    assert row.source == "variantlab.toml" and "variantlab.toml sets it" in row.because


def test_a_start_command_turns_a_static_site_custom(tmp_path: Path) -> None:
    app = with_toml(tmp_path, {"index.html": PAGE}, 'start = "python3 -m http.server $PORT"\nport = 9000\n')
    assert (app.kind, app.start, app.port) == ("custom", "python3 -m http.server $PORT", 9000)


def test_toml_rescues_what_detection_refuses(tmp_path: Path) -> None:
    app = with_toml(tmp_path / "readme", {"README.md": "x"}, 'start = "./run.sh"\n')
    assert (app.kind, app.start) == ("custom", "./run.sh")
    both = {"public/index.html": PAGE, "docs/index.html": PAGE}
    with pytest.raises(AmbiguousPlan):
        load_app_config(write(tmp_path / "tie", both))
    assert with_toml(tmp_path / "chosen", both, 'static_root = "docs"\n').static_root == "docs"
    with pytest.raises(NotAWebApp):
        with_toml(tmp_path / "still", {"README.md": "x"}, 'test = "true"\n')


@pytest.mark.parametrize("text, message", [
    ("colour = 'red'\n", "unknown key 'colour'"),
    ("start = 3\n", "start must be a string"),
    ("port = 0\n", "port must be an integer between 1 and 65535"),
    ("port = true\n", "port must be an integer"),
    ("setup = [1]\n", "setup must be a list of strings"),
    ("env = 'x'\n", "env must be a table"),
    ("kind = 'rust'\n", "kind must be one of"),
    ("start = \n", "not valid TOML"),
])
def test_bad_keys_are_refused_in_one_line_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SandboxError, match=message) as caught:
        with_toml(tmp_path, {"index.html": PAGE}, text)
    assert "\n" not in str(caught.value)


def test_legacy_example_toml_still_means_a_static_site(tmp_path: Path) -> None:
    legacy = ('install = ""\nstart = ""\ntest = "python3 -m unittest discover -s tests -q"\n'
              'port = 8000\nstatic_root = "."\n')
    app = with_toml(tmp_path, {"index.html": PAGE}, legacy)
    assert (app.kind, app.install, app.start, app.static_root) == ("static", None, None, ".")
    assert app.test == "python3 -m unittest discover -s tests -q"


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_examples_come_up_the_same_without_their_toml(tmp_path: Path, name: str) -> None:
    copy = shutil.copytree(EXAMPLES / name, tmp_path / name, ignore=shutil.ignore_patterns("variantlab.toml"))
    app = load_app_config(copy)
    assert (app.kind, app.install, app.build, app.setup, app.start, app.static_root) == ("static", None, None,
                                                                                         (), None, ".")
    assert app.test == "python3 -m unittest discover -s tests -q"
    assert all(row.source == "detected" for row in app.evidence)



def test_choosing_the_start_of_two_apps_keeps_the_rest_detected(tmp_path: Path) -> None:
    from tests.agents.sandbox.test_bringup_stacks import FLASK_FACTORY

    files = {"requirements.txt": "flask\n", "one/__init__.py": FLASK_FACTORY, "two/__init__.py": FLASK_FACTORY}
    app = with_toml(tmp_path, files, 'start = ".venv/bin/python -m flask --app two run --port $PORT"\n')
    assert (app.kind, app.start) == ("python", ".venv/bin/python -m flask --app two run --port $PORT")
    assert app.install and app.install.endswith("-r requirements.txt")
