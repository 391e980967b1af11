"""Git for shipping: which remote, what it holds, one commit over its base, and a leased push.

The commit is made in a throwaway bare repository with a private index (`git apply --cached`), so
no checkout of the user's is touched and nothing is half-applied anywhere. The push is a single
ref update with --force-with-lease: it lands whole or not at all, and never over a branch that
changed since we looked.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from agents.ship.refusals import Refusal, ShipRefused

_URL = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)
NETWORK_TIMEOUT_S = 120.0

# git's own wording, per failure: what the user must fix differs, so the one line says which it is.
_AUTH = re.compile(r"authentication failed|could not read (username|password)|invalid (username|credentials)|"
                   r"permission denied \(publickey|http basic: access denied|bad credentials|"
                   r"the requested url returned error: 401", re.IGNORECASE)
_STALE = re.compile(r"stale info|\(fetch first\)|non-fast-forward", re.IGNORECASE)


class GitFailed(Exception):
    def __init__(self, args: tuple[str, ...], stderr: str) -> None:
        super().__init__(f"git {args[0]} failed: {stderr.strip()[:400]}")
        self.stderr = stderr


@dataclass(frozen=True)
class RemoteState:
    default_branch: str | None
    heads: dict[str, str]  # branch name -> commit


def shown(url: str) -> str:
    """The remote as it may be printed and stored: without a user or password embedded in it."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def is_url(text: str) -> bool:
    return bool(_URL.match(text))


def push_remote(repo_url: str, override: str | None) -> str:
    """Where the branch goes: --remote, else the experiment's repository when it is a URL, else the
    `origin` of the local repository it was run on. A plain folder has nowhere to push."""
    if override:
        return override if is_url(override) else str(Path(override).expanduser().resolve())
    if is_url(repo_url):
        return repo_url
    path = Path(repo_url)
    try:
        top = Path(_run(("-C", str(path), "rev-parse", "--show-toplevel"), env=None)).resolve()
    except GitFailed:
        top = None
    if top != path.resolve():
        raise ShipRefused(Refusal.NO_REMOTE, f"{repo_url} is a folder, not a git repository with a remote; "
                                             "give the remote to push to with --remote URL_OR_PATH")
    try:
        origin = _run(("-C", str(path), "remote", "get-url", "--push", "origin"), env=None)
    except GitFailed:
        raise ShipRefused(Refusal.NO_REMOTE, f"{repo_url} has no remote 'origin'; give the remote to push to "
                                             "with --remote URL_OR_PATH") from None
    return origin if is_url(origin) else str((path / origin).resolve())


def auth_env(remote: str, host: str, token: str | None) -> dict[str, str]:
    """The token as an HTTP header for this host only, through git's environment config: never in the
    URL, the process arguments, or any message."""
    if not token or not remote.startswith("https://") or urlsplit(remote).hostname != host:
        return {}
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    return {"GIT_CONFIG_COUNT": str(count + 1), f"GIT_CONFIG_KEY_{count}": f"http.https://{host}/.extraheader",
            f"GIT_CONFIG_VALUE_{count}": f"Authorization: Basic {basic}"}


def _run(args: tuple[str, ...], env: dict[str, str] | None, input: str | None = None,
         timeout: float = NETWORK_TIMEOUT_S) -> str:
    # No prompt may wait for a human: a missing credential is a refusal, not a hang.
    full = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    try:
        done = subprocess.run(["git", *args], env=full, capture_output=True, text=True, input=input,
                              stdin=None if input is not None else subprocess.DEVNULL, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        raise GitFailed(args, f"no answer within {timeout:.0f} s") from None
    if done.returncode != 0:
        # A rejected push says why on stdout (--porcelain), the rest on stderr.
        raise GitFailed(args, f"{done.stderr}\n{done.stdout}")
    return done.stdout.strip()


def _reason(output: str) -> str:
    """The line that says why: the remote's own rejection or git's fatal error before its summary."""
    lines = [" ".join(line.split()) for line in output.splitlines() if line.strip()]
    telling = [line for line in lines if re.search(r"rejected\]|^fatal:|^remote:|denied", line)]
    return (telling or lines or ["no reason given"])[0].replace("\t", " ")


def refusal(exc: GitFailed, remote_shown: str) -> ShipRefused:
    """A failed git network command as the refusal the user can act on."""
    first = _reason(exc.stderr)
    if _AUTH.search(exc.stderr):
        return ShipRefused(Refusal.AUTH, f"{remote_shown} refused our credentials: {first}")
    if _STALE.search(exc.stderr):
        return ShipRefused(Refusal.RACED, f"the branch changed on {remote_shown} while shipping; nothing was "
                                          "pushed, ship again to build on what is there now")
    return ShipRefused(Refusal.NOT_WRITABLE, f"{remote_shown} cannot be written: {first}")


def _ssh_configured() -> bool:
    try:
        return bool(_run(("config", "--get", "core.sshCommand"), env=None))
    except GitFailed:  # not set
        return False


@dataclass
class Scratch:
    """A throwaway bare repository for one ship, talking to one remote."""

    root: Path
    remote: str
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.git_dir = self.root / "ship.git"
        _run(("init", "--bare", "--quiet", str(self.git_dir)), env=None)
        if not (os.environ.get("GIT_SSH_COMMAND") or os.environ.get("GIT_SSH") or _ssh_configured()):
            # ssh would ask for a passphrase or a host key on the terminal; the user's own ssh
            # setting, when there is one, is left as it is.
            self.env = {"GIT_SSH_COMMAND": "ssh -o BatchMode=yes", **self.env}

    def git(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> str:
        return _run((f"--git-dir={self.git_dir}", *args), env={**self.env, **(env or {})}, input=input)

    def remote_state(self, *branches: str) -> RemoteState:
        try:
            out = self.git("ls-remote", "--symref", self.remote, "HEAD", *(f"refs/heads/{b}" for b in branches))
        except GitFailed as exc:
            raise refusal(exc, shown(self.remote)) from None
        default, head, heads = None, None, {}
        for line in out.splitlines():
            left, _, name = line.partition("\t")
            if left.startswith("ref: ") and name == "HEAD":
                default = left.removeprefix("ref: refs/heads/")
            elif name == "HEAD":
                head = left
            elif name.startswith("refs/heads/"):
                heads[name.removeprefix("refs/heads/")] = left
        if default and head:  # the default branch was asked for as HEAD
            heads.setdefault(default, head)
        return RemoteState(default, heads)

    def fetch_branch(self, branch: str) -> str:
        try:
            self.git("fetch", "--no-tags", "--quiet", self.remote, f"+refs/heads/{branch}:refs/remote/{branch}")
        except GitFailed as exc:
            raise refusal(exc, shown(self.remote)) from None
        return self.git("rev-parse", f"refs/remote/{branch}")

    def fetch_commit(self, source: Path, commit: str) -> str:
        self.git("fetch", "--no-tags", "--quiet", str(source), commit)
        return self.git("rev-parse", "--verify", f"{commit}^{{commit}}")

    def message(self, commit: str) -> str:
        return self.git("log", "-1", "--format=%B", commit)

    def commit_change(self, base: str, patch: str, message: str, author: tuple[str, str],
                      date: dt.datetime) -> str:
        """`patch` applied to `base` as one commit; None of the user's files are involved."""
        index = {"GIT_INDEX_FILE": str(self.root / "index")}
        self.git("read-tree", base, env=index)
        try:
            self.git("apply", "--cached", "--whitespace=nowarn", "-", input=patch, env=index)
        except GitFailed as exc:
            first = next((line for line in exc.stderr.splitlines() if line.strip()), "")
            raise ShipRefused(Refusal.CONFLICT, f"the change no longer applies on {base[:12]}: {first}") from None
        tree = self.git("write-tree", env=index)
        stamp = date.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        name, email = author
        # A fixed author and date: the same evidence on the same base is the same commit, so shipping
        # again pushes nothing.
        who = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": stamp,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": stamp}
        return self.git("commit-tree", tree, "-p", base, "-F", "-", input=message, env=who)

    def push(self, commit: str | None, branch: str, expected: str | None) -> None:
        """Point `branch` at `commit` (None deletes it), only if the remote still has `expected` there."""
        ref = f"refs/heads/{branch}"
        try:
            self.git("push", "--porcelain", "--quiet", f"--force-with-lease={ref}:{expected or ''}",
                     self.remote, f"{commit or ''}:{ref}")
        except GitFailed as exc:
            raise refusal(exc, shown(self.remote)) from None
