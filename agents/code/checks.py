"""Goal checks: programmatic evidence, from the changed app, that a suggestion's change works.

They look at the result, not at what an agent says it did, so they judge the recipe agent and the
tool-use agent alike. Where a user can try the change, a browser does (agents/code/behaviour.py).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from agents.code.behaviour import BEHAVIOURS, check_behaviour
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.category_filter import categories
from agents.code.recipes.forms import FormInfo, find_form
from agents.code.site import Page, listing_pages
from agents.sandbox.base import Sandbox, SandboxError


@dataclass
class Check:
    name: str
    passed: bool | None  # None: could not be run here (e.g. no JavaScript engine)
    detail: str


def _listing(ctx: RecipeContext) -> list[Page]:
    lists = listing_pages(ctx.pages)
    return [p for p in ctx.pages if p.path in {pl.path for pl in lists}]


def _controls(page: Page) -> list:  # type: ignore[type-arg]
    return [n for n in page.root.iter() if n.tag in ("input", "select", "button")]


def _category_filter(ctx: RecipeContext) -> list[Check]:
    lists = listing_pages(ctx.pages)
    cats = categories(lists)
    pages = _listing(ctx)
    def offers(page: Page) -> int:
        texts = {n.text() for n in page.root.iter() if n.tag in ("option", "button", "a")}
        return sum(1 for c in cats if c in texts)
    weak = [p.path for p in pages if offers(p) < min(2, len(cats))]
    return [Check("category_choices_on_listing_pages", bool(pages) and len(cats) >= 2 and not weak,
                  f"{len(cats)} categories; missing on: {', '.join(weak) or 'none'}")]


def _sort(ctx: RecipeContext) -> list[Check]:
    pages = _listing(ctx)
    def offers(page: Page) -> bool:
        text = " ".join(n.text() for n in page.root.iter() if n.tag in ("option", "button"))
        return bool(re.search("price|cheap|expensive", text, re.IGNORECASE)) and bool(re.search("name|a.?z|alphabet", text, re.IGNORECASE))
    missing = [p.path for p in pages if not offers(p)]
    return [Check("sort_by_price_and_name", bool(pages) and not missing, f"missing on: {', '.join(missing) or 'none'}")]


def _result_count(ctx: RecipeContext) -> list[Check]:
    wrong = []
    lists = listing_pages(ctx.pages)
    for pl in lists:
        page = next(p for p in ctx.pages if p.path == pl.path)
        if not re.search(rf"\b{len(pl.items)}\b[^.]*products?", page.root.text(), re.IGNORECASE):
            wrong.append(pl.path)
    return [Check("count_matches_items", bool(lists) and not wrong, f"wrong or missing on: {', '.join(wrong) or 'none'}")]


def _sticky_cart(ctx: RecipeContext) -> list[Check]:
    css = "\n".join(ctx.ws.read_file(f) for f in ctx.ws.list_files(ctx.static_root) if f.endswith(".css"))
    inline = "\n".join(p.source for p in ctx.pages)
    pinned = bool(re.search(r"position:\s*(fixed|sticky)", css + inline))
    return [Check("cart_pinned_on_screen", pinned, "position fixed/sticky found" if pinned else "no fixed/sticky rule")]


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
CHECKS: dict[str, Callable[[RecipeContext], list[Check]]] = {
    "category_filter": _category_filter, "sort": _sort, "result_count": _result_count,
    "sticky_cart": _sticky_cart, "shorter_form": _shorter_form,
}


def _static_pages(sandbox: Sandbox) -> list[str]:
    """A static site's pages, for a site whose root has no index page to start from."""
    from agents.code.shell import find_shell

    try:
        shell = find_shell(sandbox, sandbox.app.static_root)
    except RecipeError:
        return []
    if shell.kind != "static":
        return []
    root = sandbox.app.static_root
    return [posixpath.relpath(p, root) for p in shell.documents if posixpath.basename(p).lower() != "index.html"]


def behaviour_check(sandbox: Sandbox, recipe: str) -> Check:
    """What BEHAVIOURS[recipe] promises, done by a user in Chromium on the sandbox's preview."""
    try:
        url = sandbox.start_preview()
    except SandboxError as exc:
        return Check(f"behaviour:{recipe}", False, f"the preview did not start: {exc}"[:300])
    verdict = check_behaviour(recipe, url, sandbox.preview_headers, _static_pages(sandbox))
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


def goal_checks(sandbox: Sandbox, recipe: str | None, changed: list[str]) -> tuple[bool | None, list[dict]]:
    """(all passed, details). None when there is no programmatic check for this kind of change."""
    checks = scripts_parse(sandbox, changed)
    if recipe in CHECKS:
        checks += CHECKS[recipe](RecipeContext(ws=sandbox, static_root=sandbox.app.static_root))
    if recipe in BEHAVIOURS:
        checks.append(behaviour_check(sandbox, recipe))
    verdicts = [c.passed for c in checks if c.passed is not None]
    if recipe not in CHECKS and recipe not in BEHAVIOURS:
        # Without a check of the goal itself, only a broken script can decide (against).
        return (False if False in verdicts else None), [asdict(c) for c in checks]
    return all(verdicts), [asdict(c) for c in checks]
