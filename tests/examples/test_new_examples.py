"""The three bundled apps with a real stack (Flask blog, Vite + React SPA, Express + EJS shop).

Each app's own suite runs the way its README says, in a temporary copy (so nothing lands in the
repo's example folders): a fresh virtualenv and `pip install -r requirements.txt` for the blog,
`npm ci` for the Node apps. Installs reach the package registries; when npm is missing or a
registry cannot be reached the test is skipped with the reason, never passed silently.

None of the apps has a variantlab.toml: their bring-up must be detected from their files.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# What an install or a build leaves in an app folder; a fresh clone has none of it.
LOCAL_STATE = shutil.ignore_patterns(
    "node_modules", "dist", ".venv", "venv", "instance", "__pycache__", ".pytest_cache", "*.pyc"
)
# How npm and pip say a registry could not be reached (as opposed to a real install failure).
NETWORK_DOWN = re.compile(
    r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network request .* failed"
    r"|Failed to fetch|Could not connect|dns error|Connection refused|Temporary failure in name resolution"
    r"|Network is unreachable|error sending request",
    re.IGNORECASE,
)
NEW_APPS = ("blog", "spa", "express")
LOCAL_DIRS = {"node_modules", "dist", ".venv", "venv", "instance", "__pycache__", ".pytest_cache"}


def _sources(app: str):
    root = EXAMPLES / app
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not LOCAL_DIRS & set(rel.parts) and path.suffix != ".pyc":
            yield rel, path


def _copy(app: str, tmp_path: Path) -> Path:
    target = tmp_path / app
    shutil.copytree(EXAMPLES / app, target, ignore=LOCAL_STATE)
    return target


def _run(cmd: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False, env=env)


def _install(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    """An install step: a registry that cannot be reached skips the test, anything else fails it."""
    result = _run(cmd, cwd, timeout=300, env=env)
    if result.returncode != 0:
        output = result.stdout + result.stderr
        down = next((line.strip() for line in output.splitlines() if NETWORK_DOWN.search(line)), None)
        if down:
            pytest.skip(f"package registry unreachable during `{' '.join(cmd)}`: {down[:300]}")
        pytest.fail(f"`{' '.join(cmd)}` failed ({result.returncode}):\n{output[-3000:]}")


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed on this machine (the Node example apps need Node.js and npm)")
    return npm


def _npm_env() -> dict[str, str]:
    return {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false", "CI": "true"}


def _uv() -> str | None:
    candidates = [os.environ.get("UV"), shutil.which("uv"), str(Path.home() / ".local" / "bin" / "uv")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, deadline_s: float = 20.0) -> str:
    end = time.monotonic() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


@pytest.mark.parametrize("app", NEW_APPS)
def test_app_needs_no_variantlab_config(app: str) -> None:
    # Bring-up is detected from conventional files, never declared for variantlab.
    assert not (EXAMPLES / app / "variantlab.toml").exists()
    ignored = (EXAMPLES / app / ".gitignore").read_text().split()
    for pattern in {"blog": (".venv/", "instance/"), "spa": ("node_modules/", "dist/")}.get(
        app, ("node_modules/",)
    ):
        assert pattern in ignored, f"{app}/.gitignore lacks {pattern}"


@pytest.mark.parametrize("app", NEW_APPS)
def test_app_looks_like_an_ordinary_app(app: str) -> None:
    # No hints for variantlab in the sources, and nothing fetched from another host at run time.
    checked = 0
    for rel, path in _sources(app):
        if path.name in ("package-lock.json", "requirements.txt"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "variantlab" not in text.lower(), rel
        if rel.parts[0] in ("tests", "test"):
            continue  # the apps' own tests hold such patterns to look for them
        external = re.findall(r"(?:src|href|action)=[\"'](?:https?:)?//", text)
        assert not external, f"{rel} loads from another host: {external}"
        checked += 1
    assert checked >= 8


def test_blog_suite_passes_in_a_fresh_virtualenv(tmp_path: Path) -> None:
    app = _copy("blog", tmp_path)
    venv = tmp_path / "venv"
    uv = _uv()
    if uv:
        _install([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], tmp_path)
        env = {**os.environ, "VIRTUAL_ENV": str(venv)}
        _install([uv, "pip", "install", "--quiet", "-r", "requirements.txt"], app, env=env)
    else:
        _install([sys.executable, "-m", "venv", str(venv)], tmp_path)
        _install([str(venv / "bin" / "pip"), "install", "--quiet", "-r", "requirements.txt"], app)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("VIRTUAL_ENV", None)

    result = _run([str(venv / "bin" / "pytest"), "-q", "-p", "no:cacheprovider"], app, timeout=120, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed and int(passed.group(1)) >= 15, result.stdout[-500:]
    assert "failed" not in result.stdout.splitlines()[-1]

    # The first-run step the Flask tutorial names, then the app serves its seeded front page.
    flask = str(venv / "bin" / "flask")
    init = _run([flask, "--app", "blog", "init-db"], app, timeout=60, env=env)
    assert init.returncode == 0 and (app / "instance" / "blog.sqlite").is_file(), init.stderr
    port = _free_port()
    server = subprocess.Popen(
        [flask, "--app", "blog", "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=app,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        front = _get(f"http://127.0.0.1:{port}/")
        assert "Why I keep a field notebook" in front and "/auth/register" in front
        assert 'name="password"' in _get(f"http://127.0.0.1:{port}/auth/register")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_spa_suite_passes_and_builds_to_relative_static_files(tmp_path: Path) -> None:
    npm = _npm()
    app = _copy("spa", tmp_path)
    env = _npm_env()
    _install([npm, "ci", "--no-audit", "--prefer-offline"], app, env=env)

    result = _run([npm, "test"], app, timeout=120, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    tests = re.search(r"Tests\s+(\d+) passed", re.sub(r"\x1b\[[0-9;]*m", "", output))
    assert tests and int(tests.group(1)) >= 5, output[-1000:]

    build = _run([npm, "run", "build"], app, timeout=120, env=env)
    assert build.returncode == 0, (build.stdout + build.stderr)[-3000:]
    dist = app / "dist"
    html = (dist / "index.html").read_text()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("./") for a in assets), f"non-relative URLs in dist: {assets}"
    assert all((dist / a).is_file() for a in assets)
    assert (dist / "recipes.json").is_file()  # fetched at run time, relative to the page


def test_express_suite_passes(tmp_path: Path) -> None:
    npm = _npm()
    app = _copy("express", tmp_path)
    env = _npm_env()
    _install([npm, "ci", "--no-audit", "--prefer-offline"], app, env=env)

    result = _run([npm, "test"], app, timeout=120, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    passed = re.search(r"^# pass (\d+)$", output, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", output, re.MULTILINE)
    assert passed and int(passed.group(1)) >= 8 and failed and failed.group(1) == "0", output[-1000:]
