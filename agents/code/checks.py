"""Goal checks: programmatic evidence, from the changed app, that a suggestion's change works.

They look at the result, not at what an agent says it did, so they judge the recipe agent and the
tool-use agent alike. Where a user can try the change, a browser does (agents/code/behaviour.py).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import asdict, dataclass

from agents.code.behaviour import BEHAVIOURS, check_behaviour
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.forms import FormInfo, find_form
from agents.sandbox.base import Sandbox, SandboxError
from settings import BrowserSettings


@dataclass
class Check:
    name: str
    passed: bool | None  # None: could not be run here (e.g. no JavaScript engine)
    detail: str


def _form(ctx: RecipeContext) -> FormInfo | None:
    try:
        return find_form(ctx)
    except RecipeError:
        return None


def _shorter_form(ctx: RecipeContext) -> list[Check]:
    info = _form(ctx)
    if not info:
        return [Check("optional_fields_marked", False, "no form")]
    text = info.form.text().lower()
    ok = "optional" in text or bool(info.form.find_all("details"))
    return [Check("optional_fields_marked", ok, "optional fields marked or tucked away" if ok else "nothing marked")]


# Changes a user cannot try in a browser yet are judged from the markup; the rest by doing it.
CHECKS: dict[str, Callable[[RecipeContext], list[Check]]] = {"shorter_form": _shorter_form}


def _static_pages(sandbox: Sandbox) -> list[str]:
    """A static site's pages, for a site whose root has no index page to start from."""
    from agents.code.shell import find_shell

    if sandbox.app.start:
        return []  # a server renders the pages: the files are not its URLs
    try:
        shell = find_shell(sandbox, sandbox.app.static_root)
    except RecipeError:
        return []
    if shell.kind != "static":
        return []
    root = sandbox.app.static_root
    return [posixpath.relpath(p, root) for p in shell.documents if posixpath.basename(p).lower() != "index.html"]


def behaviour_check(sandbox: Sandbox, recipe: str, browser: BrowserSettings) -> Check:
    """What BEHAVIOURS[recipe] promises, done by a user in Chromium (`browser`'s) on the sandbox's preview."""
    try:
        url = sandbox.start_preview()
    except SandboxError as exc:
        return Check(f"behaviour:{recipe}", False, f"the preview did not start: {exc}"[:300])
    verdict = check_behaviour(recipe, url, sandbox.preview_headers, _static_pages(sandbox), browser=browser)
    return Check(f"behaviour:{recipe}", verdict.passed, f"{BEHAVIOURS[recipe]} — {verdict.detail}"[:500])


def scripts_parse(sandbox: Sandbox, files: list[str]) -> list[Check]:
    """Every changed script parses (node --check inside the sandbox, when node is there)."""
    out = []
    for path in (f for f in files if f.endswith(".js")):
        result = sandbox.run(["node", "--check", path], timeout_s=20)
        # 127 from a shell, "execvp" from bubblewrap: node itself is missing, the script is not at fault.
        if result.exit_code == 127 or "execvp" in result.stderr:
            out.append(Check(f"parses:{path}", None, "no node in the sandbox; not checked"))
        else:
            out.append(Check(f"parses:{path}", result.ok, (result.stderr.strip().splitlines() or ["ok"])[-1][:200]))
    return out


def goal_checks(sandbox: Sandbox, recipe: str | None, changed: list[str],
                browser: BrowserSettings) -> tuple[bool | None, list[dict]]:
    """(all passed, details). None when there is no programmatic check for this kind of change.
    `browser` is the caller's browser settings, for the checks a user does in Chromium."""
    checks = scripts_parse(sandbox, changed)
    if recipe in CHECKS:
        checks += CHECKS[recipe](RecipeContext(ws=sandbox, static_root=sandbox.app.static_root))
    if recipe in BEHAVIOURS:
        checks.append(behaviour_check(sandbox, recipe, browser))
    verdicts = [c.passed for c in checks if c.passed is not None]
    if recipe not in CHECKS and recipe not in BEHAVIOURS:
        # Without a check of the goal itself, only a broken script can decide (against).
        return (False if False in verdicts else None), [asdict(c) for c in checks]
    return all(verdicts), [asdict(c) for c in checks]
