"""Turn `repo` (git URL, local git repo, or plain folder) into a cached git repo and a commit.

The cache lives under data_dir/repos: a mirror per URL or local repo, and, for a plain folder, a
bare repo named by its tree hash (so identical content is stored once) with a stat fingerprint in
front of it (so an unchanged folder is not even re-hashed).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from agents.sandbox.base import RepoUnreadable, SandboxError

_URL = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)
_GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
_EPOCH = "1970-01-01T00:00:00+0000"


@dataclass(frozen=True)
class Source:
    git_dir: Path  # a bare repo in the cache
    commit: str


def git(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        input: str | None = None) -> str:
    """Run host-side git on repos we created (never on a workdir untrusted code has touched)."""
    full_env = {**os.environ, **_GIT_ENV, **(env or {})}
    done = subprocess.run(["git", *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          input=input, check=False)
    if done.returncode != 0:
        raise SandboxError(f"git {args[0]} failed: {done.stderr.strip()[:300]}")
    return done.stdout.strip()


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def resolve(repo: str, ref: str | None, cache: Path) -> Source:
    cache.mkdir(parents=True, exist_ok=True)
    path = Path(repo).expanduser()
    if _URL.match(repo) and not path.exists():
        return _from_mirror(repo, cache / f"url-{_key(repo)}.git", ref)
    if not path.is_dir():
        raise SandboxError(f"repo not found: {repo} (not a folder, a git repo, or a git URL)")
    path = path.resolve()
    if (path / ".git").exists() and _toplevel(path) == path:
        return _from_local(path, cache / f"local-{_key(str(path))}.git", ref)
    if ref not in (None, "HEAD"):
        raise SandboxError(f"{repo} is a plain folder, not a git repo: it has no ref {ref!r}")
    return _snapshot(path, cache)


def _toplevel(path: Path) -> Path | None:
    try:
        return Path(git("-C", str(path), "rev-parse", "--show-toplevel")).resolve()
    except SandboxError:
        return None


def _commit_in(git_dir: Path, ref: str) -> str | None:
    try:
        return git("-C", str(git_dir), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except SandboxError:
        return None


def _from_mirror(url: str, mirror: Path, ref: str | None) -> Source:
    if not mirror.exists():
        _atomic_create(mirror, lambda tmp: git("clone", "--mirror", "--quiet", "--", url, str(tmp)))
    wanted = ref or "HEAD"
    commit = _commit_in(mirror, wanted)
    if commit is None:  # a new branch or commit upstream: refresh once
        git(f"--git-dir={mirror}", "fetch", "--quiet", "--prune", "origin")
        commit = _commit_in(mirror, wanted)
    if commit is None:
        raise SandboxError(f"ref {wanted!r} not found in {url}")
    return Source(mirror, commit)


def _from_local(path: Path, mirror: Path, ref: str | None) -> Source:
    """Committed state only: uncommitted changes in the user's checkout are not part of a ref."""
    wanted = ref or "HEAD"
    commit = _commit_in(path, wanted)
    if commit is None:
        raise SandboxError(f"ref {wanted!r} not found in {path}")
    if not mirror.exists():
        _atomic_create(mirror, lambda tmp: git("init", "--bare", "--quiet", str(tmp)))
    if _commit_in(mirror, commit) is None:
        try:
            git(f"--git-dir={mirror}", "fetch", "--quiet", str(path), commit)
        except SandboxError as exc:  # on a local disk there is no network to blame: retrying is futile
            raise RepoUnreadable(f"git cannot copy commit {commit[:12]} out of {path}: {_fatal(str(exc))} "
                                 f"— `git -C {path} fsck` names what is missing") from exc
    return Source(mirror, commit)


def _fatal(message: str) -> str:
    """What git's last `fatal:` says (e.g. "unable to read <object>"), else its first line."""
    fatal = [line.rsplit("fatal:", 1)[1].strip() for line in message.splitlines() if "fatal:" in line]
    named = [line for line in fatal if "unable to read" in line or "missing" in line or "corrupt" in line]
    return (named or fatal or [message.strip() or "no output"])[0]


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256(str(folder).encode())
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in sorted(filenames):
            stat = os.lstat(os.path.join(dirpath, name))
            digest.update(f"{dirpath}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def _snapshot(folder: Path, cache: Path) -> Source:
    marks = cache / "snapshots"
    marks.mkdir(exist_ok=True)
    mark = marks / _fingerprint(folder)
    if mark.is_file():
        git_dir_name, commit = mark.read_text().split()
        if (cache / git_dir_name).is_dir():
            return Source(cache / git_dir_name, commit)
    with tempfile.TemporaryDirectory(dir=cache, prefix="tmp-") as tmp:
        staging = Path(tmp) / "repo.git"
        git("init", "--bare", "--quiet", str(staging))
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index"), "GIT_DIR": str(staging),
               "GIT_WORK_TREE": str(folder)}
        git("add", "--all", "--force", ".", cwd=folder, env=env)
        tree = git("write-tree", env=env)
        # Fixed author and dates: the same content always gives the same commit.
        stamp = {"GIT_AUTHOR_NAME": "variantlab", "GIT_AUTHOR_EMAIL": "snapshot@variantlab.invalid",
                 "GIT_COMMITTER_NAME": "variantlab", "GIT_COMMITTER_EMAIL": "snapshot@variantlab.invalid",
                 "GIT_AUTHOR_DATE": _EPOCH, "GIT_COMMITTER_DATE": _EPOCH}
        commit = git("commit-tree", tree, "-m", "variantlab snapshot", env={**env, **stamp})
        git("update-ref", "refs/heads/main", commit, env=env)
        git("repack", "-a", "-d", "-q", env=env)  # one pack: each sandbox clone copies one file
        final = cache / f"snap-{tree[:20]}.git"
        if not final.exists():
            try:
                staging.rename(final)
            except OSError:  # another process stored the same content first
                pass
    partial = mark.with_name(f"{mark.name}.{os.getpid()}")
    partial.write_text(f"{final.name} {commit}\n")
    os.replace(partial, mark)
    return Source(final, commit)


def _atomic_create(final: Path, build) -> None:  # type: ignore[no-untyped-def]
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix="tmp-"))
    try:
        build(tmp / "repo.git")
        try:
            (tmp / "repo.git").rename(final)
        except OSError:
            pass  # a concurrent creator won; theirs is as good as ours
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
