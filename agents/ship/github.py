"""Pull requests on GitHub through githubkit: find the open one for our branch, open it, update it.

Only the few fields we use are read from GitHub's answers (number, html_url, head, base): the full
typed models would tie this code to every field of one schema version for nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from githubkit import GitHub
from githubkit.exception import RateLimitExceeded, RequestError, RequestFailed, RequestTimeout

from agents.ship.refusals import Refusal, ShipRefused
from settings import GitHubSettings

T = TypeVar("T")
_REMOTE = re.compile(r"^(?:https://(?:[^@/]+@)?|ssh://git@|git@)(?P<host>[^/:]+)[/:](?P<owner>[\w.-]+)/"
                     r"(?P<name>[\w.-]+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class GitHubRepo:
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str
    head: str
    base: str


def github_repo(remote: str, host: str) -> GitHubRepo | None:
    """The repository a remote URL names, when the remote is on the GitHub host."""
    match = _REMOTE.match(remote)
    if match is None or match["host"].split(":")[0].lower() != host.lower():
        return None
    return GitHubRepo(match["owner"], match["name"])


def _pull(data: dict[str, Any]) -> PullRequest:
    return PullRequest(number=int(data["number"]), url=str(data["html_url"]), head=str(data["head"]["ref"]),
                       base=str(data["base"]["ref"]))


def _message(exc: RequestFailed) -> str:
    try:
        data = exc.response.json()
    except ValueError:
        return exc.response.raw_response.text[:200]
    errors = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in data.get("errors", []))
    return "; ".join(part for part in (str(data.get("message", "")), errors) if part)


def _reset(exc: RateLimitExceeded) -> str:
    at = dt.datetime.now(dt.UTC) + exc.retry_after
    minutes = max(1, round(exc.retry_after.total_seconds() / 60))
    return f"{at:%H:%M} UTC (in {minutes} min)"


class PullRequests:
    """The pull requests of one repository, as the token's owner sees them."""

    def __init__(self, repo: GitHubRepo, settings: GitHubSettings) -> None:
        if settings.token is None:
            raise ValueError("a GitHub token is needed to open pull requests")
        self.repo = repo
        # No automatic retries: a rate limit is reported with its reset time, not waited out in a
        # command someone is watching; nothing is pushed until every call before the push succeeded.
        self._github = GitHub(settings.token.get_secret_value(), base_url=settings.api_url.rstrip("/") + "/",
                              timeout=settings.timeout_s, auto_retry=False, http_cache=False,
                              user_agent="variantlab")

    @contextmanager
    def _refusals(self, doing: str) -> Iterator[None]:
        where = self.repo.full_name
        try:
            yield
        except RateLimitExceeded as exc:
            raise ShipRefused(Refusal.RATE_LIMITED, f"GitHub rate limit reached while {doing}; it resets at "
                                                    f"{_reset(exc)}") from None
        except RequestFailed as exc:
            status = exc.response.status_code
            if status == 401:
                raise ShipRefused(Refusal.AUTH, f"GitHub refused the token while {doing} ({status}: {_message(exc)}); "
                                                "check VARIANTLAB_GITHUB__TOKEN") from None
            if status in (403, 404):
                raise ShipRefused(Refusal.NOT_WRITABLE, f"{where} cannot be written with this token while {doing} "
                                                        f"({status}: {_message(exc)})") from None
            raise ShipRefused(Refusal.NOT_WRITABLE, f"GitHub answered {status} while {doing} on {where}: "
                                                    f"{_message(exc)}") from None
        except (RequestTimeout, RequestError) as exc:
            raise ShipRefused(Refusal.NOT_WRITABLE, f"GitHub did not answer while {doing}: "
                                                    f"{exc.__class__.__name__}") from None

    def _call(self, doing: str, call: Callable[[], T]) -> T:
        with self._refusals(doing):
            return call()

    def check_can_push(self) -> None:
        """Before anything is pushed: the token works and may write to the repository."""
        response = self._call("reading the repository",
                              lambda: self._github.rest.repos.get(self.repo.owner, self.repo.name))
        if not (response.json().get("permissions") or {}).get("push"):
            raise ShipRefused(Refusal.NOT_WRITABLE, f"the token may read {self.repo.full_name} but not push to it")

    def find_open(self, branch: str) -> PullRequest | None:
        response = self._call("looking for the pull request", lambda: self._github.rest.pulls.list(
            self.repo.owner, self.repo.name, state="open", head=f"{self.repo.owner}:{branch}"))
        found = [_pull(item) for item in response.json() if item["head"]["ref"] == branch]
        return found[0] if found else None

    def open_or_update(self, branch: str, base: str, title: str, body: str,
                       existing: PullRequest | None) -> PullRequest:
        """A new pull request, or `existing` (found before the push) with the new title and body."""
        if existing is None:
            try:
                with self._refusals("opening the pull request"):
                    response = self._github.rest.pulls.create(self.repo.owner, self.repo.name, title=title,
                                                              head=branch, base=base, body=body)
                return _pull(response.json())
            except ShipRefused:
                # Opened by someone else between our look and our request (422 "A pull request already
                # exists"): update that one rather than fail or open a second.
                existing = self.find_open(branch)
                if existing is None:
                    raise
        response = self._call("updating the pull request", lambda: self._github.rest.pulls.update(
            self.repo.owner, self.repo.name, existing.number, title=title, body=body))
        return _pull(response.json())
