"""Input rules for experiments, shared by the CLI and the dashboard form."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

MAX_GOAL_CHARS = 2000
# Longer than any real git URL or path; refused before anything is written or echoed back.
MAX_REPO_CHARS = 2000
MAX_SUGGESTIONS = 10
# Names (a playground, a question) fit a list row; instructions fit a screen; a cap is more testers
# than any study recruits (and well inside a 32-bit column on PostgreSQL).
MAX_NAME_CHARS = 255
MAX_TEXT_CHARS = 5000
MAX_CAP = 100_000


class InvalidInput(ValueError):
    """One clear line saying what is wrong with the input."""


_HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d+)?/[A-Za-z0-9._~/-]+$")
_SSH_URL = re.compile(r"^ssh://([A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+(:\d+)?/[A-Za-z0-9._~/-]+$")
_SCP_URL = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-]+$")
# git check-ref-format forbids these; we also refuse shell metacharacters outright.
_REF_FORBIDDEN = set(" ~^:?*[\\\t\n\r;&|$`'\"<>(){}!#%,=")


def validate_repo(repo: str) -> str:
    """Return the canonical repo location (absolute path for local repos) or raise InvalidInput."""
    if not repo.strip():
        raise InvalidInput("--repo is empty; give an https or ssh git URL or a local git repository")
    if len(repo) > MAX_REPO_CHARS:
        raise InvalidInput(f"--repo is {len(repo)} characters; the limit is {MAX_REPO_CHARS}")
    if _has_control(repo):
        raise InvalidInput("--repo contains control characters; give a git URL or a folder path as plain text")
    repo = repo.strip()
    if "://" in repo or _SCP_URL.match(repo):
        if repo.startswith("https://"):
            if not _HTTPS_URL.match(repo) or ".." in repo:
                raise InvalidInput(f"--repo {repo!r} is not a valid https git URL (https://host/owner/name)")
            return repo
        if repo.startswith("ssh://") or _SCP_URL.match(repo):
            if not (_SSH_URL.match(repo) or _SCP_URL.match(repo)) or ".." in repo:
                raise InvalidInput(f"--repo {repo!r} is not a valid ssh git URL (ssh://host/owner/name or git@host:owner/name)")
            return repo
        scheme = repo.split("://", 1)[0]
        raise InvalidInput(f"--repo scheme {scheme!r} is not allowed; use https:// or ssh://")
    path = Path(repo).expanduser()
    if not path.exists():
        raise InvalidInput(f"--repo {repo!r} is neither a git URL nor an existing local path; give an https or ssh "
                           "git URL or the app's folder")
    if not path.is_dir():
        raise InvalidInput(f"--repo {repo!r} is a file, not a repository folder; give the app's folder")
    # A plain folder is an app too (the sandbox makes it a repo); whether it is a web app at all is
    # the bring-up plan's question, asked by the callers that may import agents/.
    return str(path.resolve())


def validate_branch(branch: str | None) -> str | None:
    """git's ref-name rules (check-ref-format), plus no shell metacharacters."""
    if branch is None:
        return None
    if branch == "":
        raise InvalidInput("--branch is empty; give a branch or tag name, or leave --branch out")
    if len(branch) > 255:
        raise InvalidInput(f"--branch is longer than 255 characters ({len(branch)}); give a shorter branch or tag name")
    bad = sorted({c for c in branch if c in _REF_FORBIDDEN or ord(c) < 32 or ord(c) == 127})
    if bad:
        raise InvalidInput(f"--branch {branch!r} contains forbidden characters: {' '.join(repr(c) for c in bad)}")
    if branch.startswith("-"):
        raise InvalidInput(f"--branch {branch!r} must not start with '-'")
    if ".." in branch:
        raise InvalidInput(f"--branch {branch!r} must not contain '..'")
    if "@{" in branch or branch == "@":
        raise InvalidInput(f"--branch {branch!r} must not contain '@{{' or be '@'")
    if branch.startswith("/") or branch.endswith("/") or "//" in branch:
        raise InvalidInput(f"--branch {branch!r} has an empty path component")
    if branch.endswith((".", ".lock")):
        raise InvalidInput(f"--branch {branch!r} must not end with '.' or '.lock'")
    if any(part.startswith(".") for part in branch.split("/")):
        raise InvalidInput(f"--branch {branch!r} has a component starting with '.'")
    return branch


def validate_goal(goal: str) -> str:
    text = goal.strip()
    if not text:
        raise InvalidInput("--goal is empty; say what users struggle with")
    if len(text) > MAX_GOAL_CHARS:
        raise InvalidInput(f"--goal is {len(text)} characters; the limit is {MAX_GOAL_CHARS}")
    # Escape sequences would re-colour or rewrite the terminal of whoever prints the goal; line
    # breaks and tabs are ordinary text.
    if _has_control(text.replace("\n", "").replace("\t", "").replace("\r", "")):
        raise InvalidInput("--goal contains control characters (such as terminal escape sequences); "
                           "give plain text")
    return text


def _has_control(text: str) -> bool:
    """C0 and C1 control characters and DEL."""
    return any(ord(c) < 32 or 127 <= ord(c) <= 159 for c in text)


def validate_name(value: str, what: str, limit: int = MAX_NAME_CHARS) -> str:
    """A label people read in lists and logs (a playground, a question): one line of plain text."""
    text = value.strip()
    if not text:
        raise InvalidInput(f"{what}: empty; give a short plain-text name")
    if len(text) > limit:
        raise InvalidInput(f"{what}: {len(text)} characters; the limit is {limit}")
    if _has_control(text):
        raise InvalidInput(f"{what}: contains control characters (such as terminal escape sequences or line "
                           "breaks); give one line of plain text")
    return text


def validate_text(value: str, what: str, limit: int = MAX_TEXT_CHARS) -> str | None:
    """Free text shown to people (instructions for testers): may be empty or several lines, but
    no escape sequences, and bounded."""
    text = value.strip()
    if len(text) > limit:
        raise InvalidInput(f"{what}: {len(text)} characters; the limit is {limit}")
    if _has_control(text.replace("\n", "").replace("\t", "").replace("\r", "")):
        raise InvalidInput(f"{what}: contains control characters (such as terminal escape sequences); "
                           "give plain text")
    return text or None


def validate_cap(value: int, what: str, *, minimum: int = 0) -> int:
    """How many evaluations an arm accepts (0 closes it)."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_CAP:
        raise InvalidInput(f"{what}: {value!r} evaluations; give a whole number from {minimum} to {MAX_CAP}")
    return value


def validate_num_suggestions(n: int) -> int:
    if not 1 <= n <= MAX_SUGGESTIONS:
        raise InvalidInput(f"--suggestions must be between 1 and {MAX_SUGGESTIONS}, got {n}")
    return n


def validate_ref_exists(repo: str, branch: str | None) -> None:
    """For a local repository, the branch must exist now (not fail later inside a pipeline stage).
    Remote URLs are checked when the sandbox fetches them: there may be no network at creation."""
    if branch is None or "://" in repo or _SCP_URL.match(repo):
        return
    path = Path(repo)
    if not (path / ".git").exists():
        raise InvalidInput(f"--branch {branch!r} given, but {repo} is a plain app folder without git history; "
                           "leave --branch out")
    found = subprocess.run(["git", "-C", str(path), "rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}"],
                           capture_output=True, text=True, timeout=30, check=False)
    if found.returncode != 0:
        raise InvalidInput(f"--branch {branch!r} does not exist in {repo}; give a branch, tag or commit it has")
