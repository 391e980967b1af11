"""Turning a local repository into a cached source: what cannot be read fails once, saying why."""

import subprocess
from pathlib import Path

import pytest

from agents.sandbox.base import RepoUnreadable
from agents.sandbox.repos import resolve
from pipelines.policies import NOT_RETRIED


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"}).stdout.strip()


def test_a_local_repo_with_a_missing_object_is_unreadable_and_not_retried(tmp_path: Path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "index.html").write_text("<h1>shop</h1>")
    (app / "banner.png").write_bytes(b"\x89PNG" + bytes(range(256)) * 8)
    _git(app, "init", "-q")
    _git(app, "add", "-A")
    _git(app, "commit", "-qm", "init")
    blob = _git(app, "rev-parse", "HEAD:banner.png")
    (app / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # as a partial clone leaves a large file

    with pytest.raises(RepoUnreadable) as caught:
        resolve(str(app), None, tmp_path / "cache")
    message = str(caught.value)
    assert message.startswith(f"git cannot copy commit {_git(app, 'rev-parse', 'HEAD')[:12]} out of {app}: ")
    assert f": unable to read {blob} — " in message  # names what is gone, not git's banner
    assert message.endswith(f"— `git -C {app} fsck` names what is missing")
    assert isinstance(caught.value, NOT_RETRIED)


def test_an_intact_local_repo_resolves_to_its_head(tmp_path: Path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "index.html").write_text("<h1>shop</h1>")
    _git(app, "init", "-q")
    _git(app, "add", "-A")
    _git(app, "commit", "-qm", "init")
    source = resolve(str(app), None, tmp_path / "cache")
    assert source.commit == _git(app, "rev-parse", "HEAD")
