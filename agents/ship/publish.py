"""Publish one change: a single commit over the base, pushed as a branch, and on GitHub a pull request.

Every check that can refuse runs before the push (the token, the remote, the base, the branch's
owner, whether the change applies); the one step after it, the pull request, puts the branch back
where it was if it fails. So a refused ship leaves the remote exactly as it found it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from agents.sandbox.base import SandboxError
from agents.sandbox.repos import resolve
from agents.ship.git import Scratch, auth_env, push_remote, shown
from agents.ship.github import GitHubRepo, PullRequest, PullRequests, github_repo
from agents.ship.refusals import Refusal, ShipRefused
from settings import Settings


@dataclass(frozen=True)
class ShipRequest:
    repo_url: str  # the experiment's repository
    base_branch: str | None  # the experiment's base; None: the remote's default branch
    remote: str | None  # where to push; None: the repository's own remote
    branch: str
    patch: str
    message: str
    title: str
    body: str
    date: dt.datetime  # the commit's date: fixed, so the same change and evidence give the same commit
    owner_mark: str  # a line each of our commits carries; a branch tip without it is someone else's
    force: bool = False


@dataclass(frozen=True)
class Published:
    url: str  # the pull request, or where the branch can be seen
    branch: str
    remote: str  # without credentials
    commit: str
    base: str | None
    base_commit: str
    pull_request: int | None
    pushed: bool  # False: the remote already had exactly this commit


def publish(request: ShipRequest, settings: Settings) -> Published:
    remote = push_remote(request.repo_url, request.remote)
    token = settings.github.token.get_secret_value() if settings.github.token else None
    repo = github_repo(remote, settings.github.host)
    pulls = PullRequests(repo, settings.github) if repo and token else None
    if pulls:
        pulls.check_can_push()
    scratch_root = settings.resolved_data_dir / "ship"
    scratch_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_root, prefix="ship-") as tmp:
        scratch = Scratch(Path(tmp), remote, auth_env(remote, settings.github.host, token))
        wanted = [b for b in (request.base_branch, request.branch) if b]
        state = scratch.remote_state(*wanted)
        base_name = request.base_branch or state.default_branch
        base_commit = _base(scratch, request, base_name, state.heads, settings, needs_branch=pulls is not None)
        existing = state.heads.get(request.branch)
        if existing:
            tip = scratch.fetch_branch(request.branch)
            if request.owner_mark not in scratch.message(tip) and not request.force:
                raise ShipRefused(Refusal.BRANCH_TAKEN, f"{request.branch} on {shown(remote)} has commits variantlab "
                                                        "did not make; ship with --force to replace them")
        commit = scratch.commit_change(base_commit, request.patch, request.message,
                                       (settings.ship.author_name, settings.ship.author_email), request.date)
        open_pull = pulls.find_open(request.branch) if pulls else None
        pushed = commit != existing
        if pushed:
            scratch.push(commit, request.branch, expected=existing)
        pull: PullRequest | None = None
        if pulls:
            try:
                pull = pulls.open_or_update(request.branch, base_name or "", request.title, request.body, open_pull)
            except ShipRefused:
                if pushed:  # put the branch back: a branch without its pull request is half a ship
                    scratch.push(existing, request.branch, expected=commit)
                raise
    return Published(url=pull.url if pull else _branch_url(remote, repo, settings.github.host, request.branch,
                                                           base_name),
                     branch=request.branch, remote=shown(remote), commit=commit, base=base_name,
                     base_commit=base_commit, pull_request=pull.number if pull else None, pushed=pushed)


def _base(scratch: Scratch, request: ShipRequest, base_name: str | None, heads: dict[str, str],
          settings: Settings, *, needs_branch: bool) -> str:
    """The remote's base branch as it is now (the change must apply there); a remote without it (a new,
    empty one) gets the commit the experiment measured, carried along with the branch."""
    if base_name and base_name in heads:
        return scratch.fetch_branch(base_name)
    if needs_branch:
        raise ShipRefused(Refusal.NO_BASE, f"{shown(scratch.remote)} has no branch {base_name or '(default)'} "
                                           "to open the pull request against")
    try:
        source = resolve(request.repo_url, request.base_branch, settings.resolved_data_dir / "repos")
    except SandboxError as exc:
        raise ShipRefused(Refusal.NO_BASE, f"the experiment's base cannot be found: {exc}") from None
    return scratch.fetch_commit(source.git_dir, source.commit)


def _branch_url(remote: str, repo: GitHubRepo | None, host: str, branch: str, base: str | None) -> str:
    if repo is not None:  # no token: the page where a person opens the pull request in one click
        return (f"https://{host}/{repo.full_name}/compare/{base}...{branch}?expand=1" if base
                else f"https://{host}/{repo.full_name}/tree/{branch}")
    return f"{shown(remote)}#{branch}"
