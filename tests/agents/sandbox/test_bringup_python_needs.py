"""Python detection: test extras and dependency groups installed, the app a pinned start names,
a short demo beside the real app, and the Python version the app asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.sandbox.base import AmbiguousPlan, BringupFailed
from agents.sandbox.bringup.pyversion import sandbox_python, satisfies
from tests.agents.sandbox.test_bringup_stacks import FLASK_FACTORY, PYTEST, plan

PIP = "python3 -m venv .venv && .venv/bin/pip install -q --disable-pip-version-check"
HELLO = "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route('/')\ndef hello():\n    return 'Hi'\n"
SETUP_PY = "from setuptools import setup\nsetup(name='shop', packages=['shop'], install_requires=['flask']{extras})\n"


@pytest.mark.parametrize("files, install", [
    ({"setup.py": SETUP_PY.format(extras=",\n    extras_require={'dev': ['pytest', 'pytest-cov']}")},
     f"{PIP} -e '.[dev]'"),
    ({"setup.py": SETUP_PY.format(extras=", extras_require=dict(test=['pytest'], docs=['sphinx'])")},
     f"{PIP} -e '.[test]'"),
    ({"setup.py": SETUP_PY.format(extras=""), "setup.cfg": "[options.extras_require]\ntesting = pytest\n"},
     f"{PIP} -e '.[testing]'"),
    ({"setup.py": SETUP_PY.format(extras=", extras_require={'docs': ['sphinx']}")},
     f"{PIP} -e . pytest"),  # no test extra: pytest is added by name,
])
def test_setup_py_test_extras_are_installed(tmp_path: Path, files: dict[str, str], install: str) -> None:
    app = plan(tmp_path, {**files, "shop/__init__.py": FLASK_FACTORY, "tests/test_shop.py": PYTEST})
    assert app.install == install
    assert app.test is not None and "pytest" in app.test


def test_dependency_groups_are_installed_with_the_project(tmp_path: Path) -> None:
    pyproject = ('[project]\nname = "todo"\nversion = "1"\ndependencies = ["flask>=3"]\n\n'
                 '[dependency-groups]\ntest = ["pytest>=8"]\ndev = [{include-group = "test"}, "ruff"]\n'
                 'lint = ["mypy"]\n')
    app = plan(tmp_path, {"pyproject.toml": pyproject, "uv.lock": "", "todo/__init__.py": FLASK_FACTORY,
                          "tests/test_todo.py": PYTEST})
    assert app.install == f"{PIP} 'flask>=3' 'pytest>=8' 'pytest>=8' ruff"
    assert "mypy" not in app.install and app.lockfiles == ("pyproject.toml", "uv.lock")
    assert any(row.key == "install" and "dev dependency group" in row.because for row in app.evidence)


def test_a_short_demo_beside_the_real_app_is_not_a_tie(tmp_path: Path) -> None:
    app = plan(tmp_path, {"requirements.txt": "flask\n", "hello.py": HELLO, "shop/__init__.py": FLASK_FACTORY,
                          "shop/templates/base.html": "<main></main>"})
    assert app.start is not None and "--app shop " in app.start
    assert app.setup == (".venv/bin/python -m flask --app shop init-db",)
    row = next(row for row in app.evidence if row.key == "start")
    assert "hello.py is a short single-file demo" in row.because


@pytest.mark.parametrize("files", [
    {"hello.py": HELLO + "".join(f"\n@app.route('/p{i}')\ndef p{i}():\n    return ''\n" for i in range(12))},
    {"blog/__init__.py": FLASK_FACTORY},  # two real apps
])
def test_real_ties_are_still_refused(tmp_path: Path, files: dict[str, str]) -> None:
    with pytest.raises(AmbiguousPlan, match="more than one Python web app"):
        plan(tmp_path, {"requirements.txt": "flask\n", "shop/__init__.py": FLASK_FACTORY, **files})


def test_a_pinned_start_keeps_the_setup_of_the_app_it_names(tmp_path: Path) -> None:
    # A package named app: the --app option in the command does not name it.
    files = {"requirements.txt": "flask\n", "app/__init__.py": FLASK_FACTORY, "blog/__init__.py": FLASK_FACTORY}
    app = plan(tmp_path, {**files, "variantlab.toml": 'start = "flask --app blog run --port $PORT"\n'})
    assert app.start == "flask --app blog run --port $PORT"
    assert app.setup == (".venv/bin/python -m flask --app blog init-db",)
    other = plan(tmp_path, {"variantlab.toml": 'start = "gunicorn wsgi:app"\n'})  # names neither: no guess
    assert other.start == "gunicorn wsgi:app" and other.setup == ()


@pytest.mark.parametrize("files", [
    {"pyproject.toml": '[project]\nname = "a"\nversion = "1"\nrequires-python = ">=3.99"\ndependencies = ["flask"]\n'},
    {"requirements.txt": "flask\n", ".python-version": "3.99.1\n"},
])
def test_a_python_too_new_for_the_sandbox_is_refused_at_detect_time(tmp_path: Path, files: dict[str, str]) -> None:
    with pytest.raises(BringupFailed, match=r"needs Python >=3\.99 .* sandbox runs Python 3\.\d+") as raised:
        plan(tmp_path, {**files, "app.py": HELLO})
    assert "\n" not in str(raised.value)


def test_a_python_the_sandbox_has_is_named_in_the_evidence(tmp_path: Path) -> None:
    app = plan(tmp_path, {"requirements.txt": "flask\n", ".python-version": "3.7.7\n", "app.py": HELLO})
    have = "{}.{}".format(*sandbox_python())
    assert any(row.key == "python" and row.value == have and ">=3.7" in row.because for row in app.evidence)
    pinned = plan(tmp_path, {".python-version": "3.99\n", "variantlab.toml": 'install = "uv sync"\n'})
    assert pinned.install == "uv sync"  # the file provides the Python: no refusal


@pytest.mark.parametrize("spec, ok", [
    (">=3.10", True), (">=3.12", False), (">3.11", False), ("<3.11", False), ("<=3.11", True),
    (">=3.8,<4", True), (">=3.8, <3.11", False), ("==3.11.*", True), ("==3.10.*", False), ("!=3.11.*", False),
    ("==3.*", True), ("~=3.9", True), ("~=3.12", False), ("", True),
])
def test_requires_python_against_3_11(spec: str, ok: bool) -> None:
    assert satisfies((3, 11), spec) is ok
