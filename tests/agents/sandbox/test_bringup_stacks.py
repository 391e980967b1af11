"""Detection per stack, on small trees written to disk: what each plan key becomes, and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.sandbox.base import AmbiguousPlan, AppConfig, NotAWebApp
from agents.sandbox.bringup.detect import detect_plan
from agents.sandbox.bringup.plan import TEST_REPORT

# Every Node install skips the E2E tools' browser downloads (see test_node_install_skips_browser_downloads).
NO_BROWSERS = ("CYPRESS_INSTALL_BINARY=0 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 "
               "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 ")

PAGE = "<!doctype html><title>t</title><h1>t</h1>"
UNITTEST = "import unittest\nclass T(unittest.TestCase):\n    def test_x(self):\n        pass\n"
PYTEST = "import pytest\n\ndef test_x():\n    assert True\n"
FLASK_FACTORY = '''import click
from flask import Flask


def create_app():
    app = Flask(__name__)
    app.cli.add_command(init_db_command)
    return app


@click.command("init-db")
def init_db_command():
    """Clear the data and create new tables."""
'''


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def package(scripts: dict[str, str], **fields: object) -> str:
    return json.dumps({"name": "app", "scripts": scripts, **fields})


def plan(tmp_path: Path, files: dict[str, str]) -> AppConfig:
    return detect_plan(write(tmp_path, files))


@pytest.mark.parametrize("files, static_root, test", [
    ({"index.html": PAGE}, ".", None),
    ({"public/index.html": PAGE, "README.md": "x"}, "public", None),
    ({"dist/index.html": PAGE}, "dist", None),
    ({"docs/index.html": PAGE}, "docs", None),
    ({"index.html": PAGE, "docs/index.html": PAGE}, ".", None),  # the root is the site
    ({"index.html": PAGE, "tests/test_site.py": UNITTEST}, ".", "python3 -m unittest discover -s tests -q"),
])
def test_static_sites(tmp_path: Path, files: dict[str, str], static_root: str, test: str | None) -> None:
    app = plan(tmp_path, files)
    assert (app.kind, app.start, app.install, app.static_root, app.test) == ("static", None, None, static_root, test)
    assert any(row.key == "static_root" and row.value == static_root for row in app.evidence)


@pytest.mark.parametrize("lock, manager, install", [
    ({"package-lock.json": "{}"}, "npm", NO_BROWSERS + "npm ci --no-audit --no-fund"),
    ({}, "npm", NO_BROWSERS + "npm install --no-audit --no-fund"),
    ({"pnpm-lock.yaml": "lockfileVersion: '9.0'\n"}, "pnpm", NO_BROWSERS + "npx --yes pnpm@9 install --frozen-lockfile"),
    ({"yarn.lock": "# yarn lockfile v1\n"}, "yarn", NO_BROWSERS + "npx --yes yarn@1 install --frozen-lockfile"),
    ({"yarn.lock": "__metadata:\n  version: 8\n"}, "yarn", NO_BROWSERS + "corepack yarn install --immutable"),
])
def test_node_package_manager_from_the_lockfile(tmp_path: Path, lock: dict[str, str], manager: str,
                                                 install: str) -> None:
    files = {"package.json": package({"start": "node server.js"}, dependencies={"express": "4"}),
             "server.js": "app.listen(process.env.PORT)", **lock}
    app = plan(tmp_path, files)
    assert (app.package_manager, app.install, app.start) == (manager, install, "npm start")
    assert app.lockfiles == ("package.json", *lock) and app.dependency_dirs == ("node_modules",)


@pytest.mark.parametrize("files, build, static_root", [
    ({"package.json": package({"dev": "vite", "build": "vite build", "preview": "vite preview"}),
      "index.html": PAGE}, "npm run build", "dist"),
    ({"package.json": package({"build": "tsc && vite build"}),
      "vite.config.ts": "export default defineConfig({ build: { outDir: 'public/app' } })"},
     "npm run build", "public/app"),
    ({"package.json": package({"build": "vite build"}),
      "vite.config.mjs": "export default { root: 'src', base: '/my-repo/', build: { outDir: '../site' } }"},
     "npm run build -- --base=/", "site"),
    ({"package.json": package({"start": "react-scripts start", "build": "react-scripts build"}),
      "public/index.html": PAGE}, "npm run build", "build"),
    ({"package.json": package({"dev": "astro dev", "build": "astro build"})}, "npm run build", "dist"),
])
def test_node_static_builds_are_served_as_files(tmp_path: Path, files: dict[str, str], build: str,
                                                static_root: str) -> None:
    app = plan(tmp_path, files)
    assert (app.kind, app.build, app.start, app.static_root) == ("node", build, None, static_root)


@pytest.mark.parametrize("scripts, start", [
    ({"start": "node index.js"}, "npm start"),
    ({"dev": "vite"}, "npm run dev -- --host 127.0.0.1 --port $PORT"),
    ({"start": "next start", "build": "next build"}, "npm start -- -p $PORT -H 127.0.0.1"),
    ({"preview": "astro preview", "build": "astro build"}, "npm run build"),  # static build wins
])
def test_node_servers_get_host_and_port_their_way(tmp_path: Path, scripts: dict[str, str], start: str) -> None:
    app = plan(tmp_path, {"package.json": package(scripts), "index.js": "require('http')"})
    assert (app.start or app.build) == start


def test_next_start_builds_first(tmp_path: Path) -> None:
    app = plan(tmp_path, {"package.json": package({"start": "next start", "build": "next build"})})
    assert app.build == "npm run build" and app.start == "npm start -- -p $PORT -H 127.0.0.1"


@pytest.mark.parametrize("server, port", [
    ("const app = require('express')();\napp.listen(process.env.PORT || 3000);\n", 3000),
    ("const app = require('express')();\napp.listen(8080);\n", 8080),  # ignores PORT: reached where it is
])
def test_express_main_file(tmp_path: Path, server: str, port: int) -> None:
    files = {"package.json": package({"test": "node --test"}, main="server.js", dependencies={"express": "4"}),
             "package-lock.json": "{}", "server.js": server, "public/index.html": PAGE}
    app = plan(tmp_path, files)
    assert (app.kind, app.start, app.port, app.test_report) == ("node", "node server.js", port, "junit")
    row = next(row for row in app.evidence if row.key == "port")
    assert ("$PORT" in row.because) == (port == 3000) and ("does not read PORT" in row.because) == (port != 3000)


def test_node_install_skips_browser_downloads(tmp_path: Path) -> None:
    files = {"package.json": package({"start": "node server.js", "test": "cypress run"},
                                     dependencies={"express": "4"}, devDependencies={"cypress": "13"}),
             "package-lock.json": "{}", "server.js": "app.listen(process.env.PORT)"}
    app = plan(tmp_path, files)
    assert app.install is not None and app.install.endswith("npm ci --no-audit --no-fund")
    for setting in ("CYPRESS_INSTALL_BINARY=0", "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1", "PUPPETEER_SKIP_DOWNLOAD=1",
                    "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1", "ELECTRON_SKIP_BINARY_DOWNLOAD=1"):
        assert setting in app.install.split()
    row = next(row for row in app.evidence if row.key == "install")
    assert row.value == app.install and "browser downloads skipped" in row.because


@pytest.mark.parametrize("script, test, report", [
    ("vitest run", f"npm test -- --reporter=json --outputFile={TEST_REPORT}", "vitest-json"),
    ("vitest", f"npm test -- --run --reporter=json --outputFile={TEST_REPORT}", "vitest-json"),
    ("jest", f"npm test -- --json --outputFile={TEST_REPORT}", "jest-json"),
    ("node --test", ("npm test -- --test-reporter=spec --test-reporter-destination=stdout "
                    f"--test-reporter=junit --test-reporter-destination={TEST_REPORT}"), "junit"),
    ("mocha", "npm test", None),
    ('echo "Error: no test specified" && exit 1', None, None),
])
def test_node_tests_and_their_reports(tmp_path: Path, script: str, test: str | None, report: str | None) -> None:
    app = plan(tmp_path, {"package.json": package({"build": "vite build", "test": script})})
    assert (app.test, app.test_report) == (test, report)


def test_flask_factory_with_init_db_and_pytest(tmp_path: Path) -> None:
    app = plan(tmp_path, {
        "pyproject.toml": '[project]\nname = "blog"\ndependencies = ["flask"]\n'
                          '[project.optional-dependencies]\ntest = ["pytest"]\n'
                          '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
        "blog/__init__.py": FLASK_FACTORY, "blog/db.py": "import sqlite3\n",
        "tests/conftest.py": "import pytest\n", "tests/test_blog.py": PYTEST,
    })
    assert app.kind == "python" and app.package_manager == "pip"
    assert app.install == ("python3 -m venv .venv && .venv/bin/pip install -q --disable-pip-version-check "
                           "-e '.[test]'")
    assert app.start == ".venv/bin/python -m flask --app blog run --host 127.0.0.1 --port $PORT"
    assert app.setup == (".venv/bin/python -m flask --app blog init-db",)
    assert (app.test, app.test_report) == (f".venv/bin/python -m pytest -q --junitxml={TEST_REPORT}", "junit")
    assert app.lockfiles == ("pyproject.toml",) and app.dependency_dirs == (".venv",)
    assert any(row.key == "setup" and "blog/__init__.py" in row.because for row in app.evidence)


def test_flask_app_py_with_gunicorn_and_unittest(tmp_path: Path) -> None:
    app = plan(tmp_path, {
        "requirements.txt": "Flask==3.0\ngunicorn\n",
        "app.py": "from flask import Flask\napp = Flask(__name__)\n\n@app.cli.command()\ndef seed_db():\n    pass\n",
        "tests/test_app.py": UNITTEST,
    })
    assert app.install == ("python3 -m venv .venv && .venv/bin/pip install -q --disable-pip-version-check "
                           "-r requirements.txt")
    assert app.start == ".venv/bin/python -m gunicorn --bind 127.0.0.1:$PORT 'app:app'"
    assert app.setup == (".venv/bin/python -m flask --app app seed-db",)
    assert app.test == ".venv/bin/python -m unittest discover -s tests -q" and app.test_report is None


def test_django(tmp_path: Path) -> None:
    app = plan(tmp_path, {
        "requirements.txt": "django>=5\n",
        "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n",
    })
    assert app.start == ".venv/bin/python manage.py runserver 127.0.0.1:$PORT --noreload"
    assert app.setup == (".venv/bin/python manage.py migrate --noinput",)
    assert app.test == ".venv/bin/python manage.py test"


def test_fastapi_gets_uvicorn_even_when_not_declared(tmp_path: Path) -> None:
    app = plan(tmp_path, {"requirements.txt": "fastapi\n",
                          "api/main.py": "from fastapi import FastAPI\n\napi = FastAPI()\n"})
    assert app.start == ".venv/bin/python -m uvicorn api.main:api --host 127.0.0.1 --port $PORT"
    assert app.install.endswith("-r requirements.txt uvicorn")


def test_procfile_web_line_keeps_port(tmp_path: Path) -> None:
    app = plan(tmp_path, {"requirements.txt": "gunicorn\n", "Procfile": "web: gunicorn shop:app -b :$PORT\n"
                          "release: python migrate.py\n"})
    assert app.kind == "python"
    assert app.start == 'export PATH="$PWD/.venv/bin:$PATH" && gunicorn shop:app -b :$PORT'
    assert app.setup == ('export PATH="$PWD/.venv/bin:$PATH" && python migrate.py',)


def test_procfile_alone(tmp_path: Path) -> None:
    app = plan(tmp_path, {"Procfile": "web: ./serve --port $PORT\n"})
    assert (app.kind, app.start, app.install) == ("procfile", "./serve --port $PORT", None)


@pytest.mark.parametrize("files, found", [
    ({"README.md": "# hello"}, ""),
    ({"pyproject.toml": '[project]\nname = "lib"\ndependencies = ["requests"]\n', "lib/__init__.py": "x = 1\n"},
     "Python dependencies but no Flask"),
    ({"package.json": package({"lint": "eslint ."})}, "package.json with no server"),
    # A web framework's own source: the app in its docstring and the demo beside it are not the repo's app.
    ({"pyproject.toml": '[project]\nname = "fw"\n', "src/fw/app.py": 'class Flask:\n    """\n    app = Flask(__name__)\n"""\n',
      "examples/demo/app.py": "from flask import Flask\napp = Flask(__name__)\n"}, "Python dependencies but no Flask"),
])
def test_not_a_web_app_is_one_line(tmp_path: Path, files: dict[str, str], found: str) -> None:
    with pytest.raises(NotAWebApp) as caught:
        plan(tmp_path, files)
    message = str(caught.value)
    assert "\n" not in message and "set `start` (or `static_root`) in variantlab.toml" in message
    assert found in message and str(tmp_path) in message


@pytest.mark.parametrize("files, named, key", [
    ({"public/index.html": PAGE, "docs/index.html": PAGE}, ["public/", "docs/"], "static_root"),
    ({"requirements.txt": "flask\n", "one/__init__.py": FLASK_FACTORY, "two/__init__.py": FLASK_FACTORY},
     ["one (flask)", "two (flask)"], "start"),
])
def test_two_equally_good_choices_are_ambiguous(tmp_path: Path, files: dict[str, str], named: list[str],
                                                key: str) -> None:
    with pytest.raises(AmbiguousPlan) as caught:
        plan(tmp_path, files)
    assert all(name in str(caught.value) for name in named) and f"set `{key}`" in str(caught.value)


def test_every_choice_has_evidence(tmp_path: Path) -> None:
    app = plan(tmp_path, {"package.json": package({"build": "vite build", "test": "vitest run"}),
                          "package-lock.json": "{}"})
    keys = {row.key for row in app.evidence}
    assert {"kind", "package_manager", "install", "build", "static_root", "test", "test_report"} <= keys
    assert all(row.because and row.source == "detected" for row in app.evidence)


def test_static_site_with_node_tests(tmp_path: Path) -> None:
    app = plan(tmp_path, {"index.html": PAGE, "package-lock.json": "{}",
                          "package.json": package({"test": "jest"}, devDependencies={"jest": "29"})})
    assert (app.kind, app.static_root, app.start, app.install) == ("static", ".", None,
                                                                   NO_BROWSERS + "npm ci --no-audit --no-fund")
    assert app.test_report == "jest-json" and app.dependency_dirs == ("node_modules",)


@pytest.mark.parametrize("files, install_tail, start", [
    # No dependency file: the framework the app imports is installed.
    ({"app.py": "from flask import Flask\napp = Flask(__name__)\n"}, " flask",
     ".venv/bin/python -m flask --app app run --host 127.0.0.1 --port $PORT"),
    # Flask's own order: wsgi.py before app.py.
    ({"requirements.txt": "flask\n", "app.py": "from flask import Flask\napp = Flask(__name__)\n",
      "wsgi.py": "from app import app\n"}, " -r requirements.txt",
     ".venv/bin/python -m flask --app wsgi run --host 127.0.0.1 --port $PORT"),
    ({"Pipfile": '[packages]\nflask = "*"\nrequests = ">=2"\n[dev-packages]\nblack = {version = "==24.1"}\n',
      "server.py": "from flask import Flask\napp = Flask(__name__)\n"}, " flask 'requests>=2' black==24.1",
     ".venv/bin/python -m flask --app server run --host 127.0.0.1 --port $PORT"),
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask>=3"]\n'
                        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
      "src/shop/__init__.py": FLASK_FACTORY}, " -e .",
     ".venv/bin/python -m flask --app shop run --host 127.0.0.1 --port $PORT"),
])
def test_python_sources_of_dependencies_and_apps(tmp_path: Path, files: dict[str, str], install_tail: str,
                                                 start: str) -> None:
    app = plan(tmp_path, files)
    assert app.install == f"python3 -m venv .venv && .venv/bin/pip install -q --disable-pip-version-check{install_tail}"
    assert app.start == start


def test_python_app_with_a_package_json_builds_its_assets(tmp_path: Path) -> None:
    app = plan(tmp_path, {"requirements.txt": "flask\n", "app.py": "from flask import Flask\napp = Flask(__name__)\n",
                          "package.json": package({"build": "tailwindcss -o static/site.css"}),
                          "package-lock.json": "{}"})
    assert app.kind == "python" and app.build == "npm run build"
    assert app.install == (NO_BROWSERS + "npm ci --no-audit --no-fund && python3 -m venv .venv && .venv/bin/pip install -q "
                           "--disable-pip-version-check -r requirements.txt")
    assert app.dependency_dirs == (".venv", "node_modules")


def test_src_layout_run_from_requirements_gets_pythonpath(tmp_path: Path) -> None:
    app = plan(tmp_path, {"requirements.txt": "flask\n", "src/tasks/__init__.py": FLASK_FACTORY})
    assert app.start == ".venv/bin/python -m flask --app tasks run --host 127.0.0.1 --port $PORT"
    assert app.env == (("PYTHONPATH", "src"),)


def test_procfile_beats_the_detected_server_and_says_so(tmp_path: Path) -> None:
    app = plan(tmp_path, {"requirements.txt": "django\ngunicorn\n", "manage.py": "# django\n",
                          "Procfile": "web: python manage.py migrate && gunicorn site.wsgi\n"})
    assert app.start == 'export PATH="$PWD/.venv/bin:$PATH" && python manage.py migrate && gunicorn site.wsgi'
    row = next(row for row in app.evidence if row.key == "start")
    assert "Procfile web: line" in row.because and "replaces the detected .venv/bin/python manage.py runserver" in row.because
