"""Python web apps: Django's manage.py, a FastAPI/Starlette app, a Flask app or factory.

The app is found in its source (where the framework object is made), not from file names alone;
Flask's own discovery order (wsgi.py, then app.py at the root) breaks ties the way `flask run` would.
First-run steps the app names itself (Django migrate, Flask-Migrate, an init-db or seed command)
become setup steps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from agents.sandbox.base import AppConfig, AppKind, Evidence
from agents.sandbox.bringup.files import Tree, has, has_dir, walk
from agents.sandbox.bringup.plan import CONFIG_FILE, HOST, TEST_REPORT, ambiguous, why
from agents.sandbox.bringup.pydeps import Declared, declared
from agents.sandbox.bringup.pyversion import python_requirement

# `python -m` rather than .venv/bin scripts: a script's shebang names the folder the venv was made
# in, and installed dependencies are reused from another sandbox.
PY = ".venv/bin/python"
TEST_DIRS = ("tests", "test")
# Folders whose code is not the app being served: its tests, its docs, demos beside it.
NOT_THE_APP = {*TEST_DIRS, "docs", "examples", "example", "samples"}
# Module level only: indented examples in docstrings (a library's own docs) are not an app.
FLASK_APP = re.compile(r"^(\w+)\s*=\s*Flask\(|^def\s+(create_app|make_app)\s*\(", re.MULTILINE)
ASGI_APP = re.compile(r"^(\w+)\s*=\s*(FastAPI|Starlette)\(", re.MULTILINE)
# @app.cli.command("init-db") or @click.command("init-db") (later added to app.cli), or unnamed
# above `def init_db():` (click names it init-db).
CLICK = re.compile(r"@(?:\w+\.cli\.command|click\.command)\(\s*(?:[\"']([\w-]+)[\"'])?[^)]*\)\s*"
                   r"(?:@[^\n]*\n\s*)*def\s+(\w+)")
TRIVIAL_LINES = 30  # a single-file app this short beside a real one is a demo, not the app
FIRST_RUN = re.compile(r"(init|create|setup)-?db|db-(init|create|seed)|seed(-[\w-]+)?|load-?data", re.IGNORECASE)


@dataclass(frozen=True)
class WebApp:
    framework: str
    source: str      # the file it was found in
    module: str      # import path: "app", "flaskr", "api.main"
    attr: str        # "app", "create_app", ...: what a WSGI/ASGI server is given
    because: str


def detect_python(tree: Tree, pinned: Mapping[str, object]) -> AppConfig | None:
    """`pinned`: the keys variantlab.toml sets, with their values (a pinned start names the app)."""
    deps = declared(tree)
    sources = [path for path in walk(tree, ".py") if _app_source(path)]
    names = deps.names if deps else set()
    apps = _web_apps(tree, sources, names)
    if deps is None and not apps:
        return None
    extra = [fw for fw in {a.framework for a in apps} if fw not in names]  # imported, not declared
    evidence = [why("kind", AppKind.PYTHON, f"Python dependencies in {deps.source}" if deps
                    else f"{apps[0].module} imports {apps[0].framework}; no dependency file")]
    if (apps or "start" in pinned) and "install" not in pinned:
        evidence += [row for row in [python_requirement(tree)] if row]
    start, setup, env = None, (), ()
    apps, chose = _the_app(tree, apps, pinned.get("start"))
    if len(apps) > 1 and "start" not in pinned:
        raise ambiguous("more than one Python web app", [f"{a.module} ({a.framework})" for a in apps], "start")
    if len(apps) == 1:
        app = apps[0]
        start, server, how = _start(app, names)
        extra += [server] if server and server not in names else []
        setup, setup_evidence = _setup(tree, app, sources, names)
        chose = f"; {chose}" if chose else ""
        evidence += [why("start", start, f"{app.because}; {how}{chose}"), *setup_evidence]
        if app.source.startswith("src/") and "-e" not in (deps.args if deps else []):
            env = (("PYTHONPATH", "src"),)
            evidence.append(why("env", "PYTHONPATH=src", f"{app.source} is under src/ and the project is not installed"))
    elif not apps:
        evidence.append(why("start", "", "no Flask, Django, FastAPI or Starlette app in the source"))
    test, report, test_evidence, needs = python_tests(tree, PY, names)
    extra = sorted(set(extra + needs))
    install = (deps or Declared()).install(extra)
    how = f"a virtualenv in .venv, pip installs {deps.source if deps else 'nothing declared'}"
    how += f" + {', '.join(extra)} (used, not declared)" if extra else ""
    evidence += [why("package_manager", "pip", how), why("install", install, how), *test_evidence]
    return AppConfig(kind=AppKind.PYTHON, install=install, setup=setup, start=start, test=test, port=8000, env=env,
                     lockfiles=tuple(deps.files) if deps else (), dependency_dirs=(".venv",),
                     package_manager="pip", test_report=report, evidence=tuple(evidence))


def _the_app(tree: Tree, apps: list[WebApp], start: object) -> tuple[list[WebApp], str]:
    """The one app a pinned start names, or the one real app beside short single-file demos."""
    if len(apps) < 2:
        return apps, ""
    if isinstance(start, str):
        named = [a for a in apps if re.search(rf"(?<![\w.:-]){re.escape(a.module)}(?![\w])", start)]
        return (named, f"{CONFIG_FILE}'s start names {named[0].module}") if len(named) == 1 else (apps, "")
    real = [a for a in apps if not _trivial(tree, a)]
    if len(real) == 1:
        demos = ", ".join(a.source for a in apps if a is not real[0])
        return real, (f"{real[0].source} is the app (a factory, templates or a package); "
                      f"{demos} is a short single-file demo beside it")
    return apps, ""


def _trivial(tree: Tree, app: WebApp) -> bool:
    """A short module with no app factory, no package and no templates folder beside it."""
    folder = app.source.rpartition("/")[0]
    lines = [ln for ln in (tree.read(app.source) or "").splitlines() if ln.strip()]
    return (len(lines) <= TRIVIAL_LINES and not app.attr.endswith("()") and not app.source.endswith("__init__.py")
            and not has_dir(tree, f"{folder}/templates" if folder else "templates"))


def _app_source(path: str) -> bool:
    name = path.rpartition("/")[2]
    return not (name.startswith("test_") or name == "conftest.py" or path.split("/")[0] in NOT_THE_APP)


def _module(path: str) -> str:
    # A src/ layout is installed as a project (pip install -e .), so its packages import without src.
    return path.removeprefix("src/").removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _web_apps(tree: Tree, sources: list[str], names: set[str]) -> list[WebApp]:
    manage = tree.read("manage.py") or ""
    if "DJANGO_SETTINGS_MODULE" in manage or "django" in manage:
        return [WebApp("django", "manage.py", "manage", "", "manage.py runs Django")]
    asgi = [WebApp(m.group(2).lower(), path, _module(path), m.group(1), f"{path} makes {m.group(1)} = {m.group(2)}()")
            for path in sources if (m := ASGI_APP.search(tree.read(path) or ""))]
    for path in ("wsgi.py", "app.py"):
        text = tree.read(path) or ""
        imports_app = "flask" in names and re.search(r"\b(app|application)\b", text)
        if "flask" in text.lower() or "create_app" in text or imports_app:
            # What `flask run` itself loads when given no --app, even when the file only imports it.
            return [WebApp("flask", path, _module(path), _flask_attr(text), f"{path} at the root (Flask's own default)")]
    flask = []
    for path in sources:
        text = tree.read(path) or ""
        if "flask" not in text.lower():
            continue
        found = FLASK_APP.search(text)
        if found:
            made = f"defines {found.group(2)}()" if found.group(2) else "makes a Flask app"
            flask.append(WebApp("flask", path, _module(path), _flask_attr(text), f"{path} {made}"))
    apps = asgi + flask
    # One app per top-level package: its shallowest module (pkg/__init__.py before pkg/views.py).
    kept: dict[str, WebApp] = {}
    for app in sorted(apps, key=lambda a: a.module.count(".")):
        kept.setdefault(app.module.split(".")[0], app)
    return list(kept.values())


def _flask_attr(text: str) -> str:
    if re.search(r"^def\s+create_app\s*\(", text, re.MULTILINE):
        return "create_app()"
    found = re.search(r"^(app|application)\s*=", text, re.MULTILINE)
    return found.group(1) if found else ""


def _start(app: WebApp, names: set[str]) -> tuple[str, str | None, str]:
    """(start command, the server package it needs, how the host and port are passed)."""
    if app.framework == "django":
        return (f"{PY} manage.py runserver {HOST}:$PORT --noreload", None,
                "runserver on $PORT (no autoreloader: one process in the sandbox)")
    if app.framework in ("fastapi", "starlette"):
        server = None if "fastapi[standard]" in names else "uvicorn"
        return f"{PY} -m uvicorn {app.module}:{app.attr} --host {HOST} --port $PORT", server, "uvicorn on $PORT"
    if "gunicorn" in names and app.attr:
        return (f"{PY} -m gunicorn --bind {HOST}:$PORT '{app.module}:{app.attr}'", None,
                "gunicorn is a dependency")
    return f"{PY} -m flask --app {app.module} run --host {HOST} --port $PORT", None, "flask run on $PORT"


def _setup(tree: Tree, app: WebApp, sources: list[str], names: set[str]) -> tuple[tuple[str, ...], list[Evidence]]:
    if app.framework == "django":
        step = f"{PY} manage.py migrate --noinput"
        return (step,), [why("setup", step, "Django apps create their tables with migrate")]
    if app.framework != "flask":
        return (), []
    steps, evidence = [], []
    flask = f"{PY} -m flask --app {app.module}"
    if "flask-migrate" in names and has_dir(tree, "migrations"):
        steps.append(f"{flask} db upgrade")
        evidence.append(why("setup", steps[-1], "Flask-Migrate with a migrations/ folder"))
    commands = []
    for path in sources:
        for match in CLICK.finditer(tree.read(path) or ""):
            name = match.group(1) or match.group(2).replace("_", "-")
            if FIRST_RUN.fullmatch(name) and name not in commands:
                commands.append(name)
                evidence.append(why("setup", f"{flask} {name}", f"{path} defines the command {name!r}"))
    # Create the schema before seeding it.
    commands.sort(key=lambda name: 0 if re.search(r"init|create|setup", name) else 1)
    steps += [f"{flask} {name}" for name in commands]
    return tuple(steps), evidence


def python_tests(tree: Tree, python: str, names: set[str]) -> tuple[str | None, str | None, list[Evidence], list[str]]:
    """(test command, report format, evidence, packages to add to the install) for the app's own tests."""
    tests = [path for folder in TEST_DIRS for path in walk(tree, ".py", folder=folder)
             if path.rpartition("/")[2].startswith("test_") or path.endswith("_test.py")]
    signal = _pytest_signal(tree, tests, names)
    if signal and python == PY:
        test = f"{python} -m pytest -q --junitxml={TEST_REPORT}"
        because = f"{signal} → pytest with a JUnit XML report"
        needs = [] if "pytest" in names else ["pytest"]
        return test, "junit", [why("test", test, because), why("test_report", "junit", because)], needs
    if has(tree, "manage.py") and python == PY:
        test = f"{python} manage.py test"
        return test, None, [why("test", test, "Django's test runner")], []
    if tests and not signal:
        folder = tests[0].split("/")[0]
        test = f"{python} -m unittest discover -s {folder} -q"
        return test, None, [why("test", test, f"{folder}/ holds test_*.py files and no pytest is used")], []
    if tests:
        return None, None, [why("test", "", f"{signal} but the app declares no Python dependencies; set `test`")], []
    return None, None, [], []


def _pytest_signal(tree: Tree, tests: list[str], names: set[str]) -> str | None:
    if has(tree, "pytest.ini") or has(tree, "conftest.py") or any(has(tree, f"{d}/conftest.py") for d in TEST_DIRS):
        return "pytest.ini / conftest.py"
    for path, marker in (("pyproject.toml", "[tool.pytest"), ("setup.cfg", "[tool:pytest]"), ("tox.ini", "[pytest]")):
        if marker in (tree.read(path) or ""):
            return f"{path} configures pytest"
    if "pytest" in names:
        return "pytest is a dependency"
    if any(re.search(r"^\s*(import pytest|from pytest)", tree.read(path) or "", re.MULTILINE) for path in tests):
        return "the tests import pytest"
    return None
