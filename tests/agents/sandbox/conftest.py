"""Sandboxes in a throwaway data dir; apps: a tiny fixture site plus the bundled examples."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from settings import Settings

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
BUNDLED = [name for name in ("shop", "signup") if (EXAMPLES / name / "index.html").is_file()]

FIXTURE_TEST = '''import pathlib, unittest
class T(unittest.TestCase):
    def test_index(self):
        self.assertIn("<h1>fixture</h1>", pathlib.Path("index.html").read_text())
'''


@pytest.fixture
def data_dir(settings: Settings) -> Path:
    """Where this test's sandboxes, repo snapshots and dependency caches live (in tmp_path)."""
    return settings.resolved_data_dir


def make_site(root: Path) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>fixture</title><h1>fixture</h1>\n")
    (root / "about.html").write_text("<p>about</p>\n")
    (root / "tests" / "test_site.py").write_text(FIXTURE_TEST)
    (root / "variantlab.toml").write_text('test = "python3 -m unittest discover -s tests -q"\n')
    return root


def git_init(root: Path) -> None:
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "one"]):
        subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                       check=True, capture_output=True)


@pytest.fixture(params=["fixture", *BUNDLED])
def app_repo(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "fixture":
        return str(make_site(tmp_path / "site"))
    return str(EXAMPLES / request.param)
