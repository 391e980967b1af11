"""Goal checks: programmatic evidence, read from the changed site, that a suggestion's change is there.

They look at the result, not at what an agent says it did, so they judge the recipe agent and the
tool-use agent alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.category_filter import categories
from agents.code.recipes.forms import FormInfo, find_form, password_rule
from agents.code.site import Page, listing_pages
from agents.sandbox.base import Sandbox


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


def _search(ctx: RecipeContext) -> list[Check]:
    pages = _listing(ctx)
    def has_box(page: Page) -> bool:
        return any(
            n.tag == "input" and (n.attrs.get("type") == "search" or re.search(
                "search", " ".join(n.attrs.get(k, "") for k in ("name", "id", "placeholder", "aria-label")), re.IGNORECASE))
            for n in _controls(page))
    missing = [p.path for p in pages if not has_box(p)]
    return [Check("search_input_on_listing_pages", bool(pages) and not missing,
                  f"missing on: {', '.join(missing)}" if missing else f"on {len(pages)} listing page(s)")]


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


def _inline_validation(ctx: RecipeContext) -> list[Check]:
    info = _form(ctx)
    listens = bool(info and re.search(r"""["'](blur|focusout)["']""", info.scripts))
    return [Check("fields_checked_on_blur", listens, "blur/focusout listener in the form page's scripts"
                  if listens else "no blur/focusout handling in the form page's scripts")]


def _password_hint(ctx: RecipeContext) -> list[Check]:
    info = _form(ctx)
    pw = next((c for c in info.controls if c.attrs.get("type") == "password"), None) if info else None
    rule = password_rule(info, pw) if info and pw else None
    if not info or not pw or not rule:
        return [Check("password_rule_shown", False, "no password field with a known rule")]
    shown = bool(re.search(rf"\b{rule[0]}\b\s*(characters|chars)", info.form.text(), re.IGNORECASE)) if rule[0] else False
    return [Check("password_rule_shown", shown, f"minimum length {rule[0]} {'stated' if shown else 'not stated'} in the form")]


def _shorter_form(ctx: RecipeContext) -> list[Check]:
    info = _form(ctx)
    if not info:
        return [Check("optional_fields_marked", False, "no form")]
    text = info.form.text().lower()
    ok = "optional" in text or bool(info.form.find_all("details"))
    return [Check("optional_fields_marked", ok, "optional fields marked or tucked away" if ok else "nothing marked")]


CHECKS: dict[str, Callable[[RecipeContext], list[Check]]] = {
    "search": _search, "category_filter": _category_filter, "sort": _sort, "result_count": _result_count,
    "sticky_cart": _sticky_cart, "inline_validation": _inline_validation, "password_hint": _password_hint,
    "shorter_form": _shorter_form,
}


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
    verdicts = [c.passed for c in checks if c.passed is not None]
    if recipe not in CHECKS:
        # Without a check of the goal itself, only a broken script can decide (against).
        return (False if False in verdicts else None), [asdict(c) for c in checks]
    return all(verdicts), [asdict(c) for c in checks]
