"""Shared by the form recipes: find the form, and read its rules from markup and the site's own JS.

Rules a site enforces only in script (a password rule, a phone format) are recovered from that
script with small, explicit patterns; anything not understood is left out rather than guessed.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from agents.code.markup import Node
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.site import Page, fields, forms, label_for

REGEX_CONST = re.compile(r"""\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*/((?:\\.|[^/\n])+)/([a-z]*)""")
PASSWORD_FN = re.compile(r"function\s+(\w*password\w*)\s*\(\s*(\w+)\s*\)\s*\{(.*?)\n\s*\}", re.IGNORECASE | re.DOTALL)
CHAR_CLASSES = {
    r"\d": "a number", "[0-9]": "a number", "[A-Z]": "an upper-case letter", "[a-z]": "a lower-case letter",
    "[^A-Za-z0-9]": "a symbol", r"[^\w]": "a symbol", r"\W": "a symbol", "[^a-zA-Z0-9]": "a symbol",
}


@dataclass
class FormInfo:
    page: Page
    form: Node
    controls: list[Node]
    scripts: str  # the text of the page's local scripts


def _score(form: Node, controls: list[Node]) -> tuple[bool, int]:
    """A form with a password field first (sign-up, not a post editor), then the one with most fields."""
    return any(c.attrs.get("type") == "password" for c in controls), len(controls)


def find_form(ctx: RecipeContext, pages: list[Page] | None = None) -> FormInfo:
    """The form of a sign-up journey: one with a password field, else the one with the most fields."""
    best: FormInfo | None = None
    for page in ctx.pages if pages is None else pages:
        for form in forms(page):
            controls = fields(form)
            if best is None or _score(form, controls) > _score(best.form, best.controls):
                best = FormInfo(page, form, controls, "")
    if best is None:
        raise RecipeError("no form with input fields found in any HTML page or template")
    best.scripts = _page_scripts(ctx, best.page) + "\n" + source_rules_text(ctx)
    return best


SERVER_LENGTH = re.compile(r"\blen\(\s*(\w*pass\w*)\s*\)\s*(<=?|>=?)\s*(\d+)", re.IGNORECASE)
JS_LENGTH = re.compile(r"\b(\w*pass\w*)\.length\s*(<=?|>=?)\s*(\d+)", re.IGNORECASE)
SERVER_KINDS = {"isdigit": "a number", "isupper": "an upper-case letter", "islower": "a lower-case letter"}


def source_rules_text(ctx: RecipeContext) -> str:
    """The app's own server and client code (not tests, not dependencies), where rules are enforced."""
    from agents.code.shell import source_files

    code = [f for f in source_files(ctx.ws) if f.endswith((".py", ".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx"))
            and not any(p in ("tests", "test", "__tests__") for p in f.split("/")[:-1])
            and not re.search(r"(\.test|\.spec|_test|^test_)\.?\w*$", f.rsplit("/", 1)[-1])
            and "variantlab-" not in f]
    return "\n".join(ctx.read(f) for f in code[:200])


def source_password_rule(text: str) -> tuple[int, list[str]] | None:
    """A password rule the server (or client) code enforces: a length bound, required kinds."""
    min_len, kinds = 0, []
    for regex in (SERVER_LENGTH, JS_LENGTH):
        for _, op, number in regex.findall(text):
            # "len(p) < 10" rejects short ones: 10 is the minimum; "len(p) <= 9" and "> 9" likewise.
            # Bounds past 64 are maximum lengths (bcrypt's 72, a 128 cap), not the rule users need.
            if int(number) <= 64:
                min_len = max(min_len, int(number) + (1 if op in ("<=", ">") else 0))
    for match in re.finditer(r"def \w*pass\w*\(.*?(?=\ndef |\Z)", text, re.DOTALL | re.IGNORECASE):
        kinds += [kind for call, kind in SERVER_KINDS.items() if call in match.group(0) and kind not in kinds]
    return (min_len, kinds) if min_len else None


def _page_scripts(ctx: RecipeContext, page: Page) -> str:
    texts = []
    for script in page.root.find_all("script"):
        src = script.attrs.get("src", "")
        if src and "://" not in src and not src.startswith("//"):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(page.path), src))
            try:
                texts.append(ctx.ws.read_file(path))
            except (OSError, ValueError):
                continue  # a missing script is the site's problem, not a rule source
        elif not src:
            texts.append(page.source[script.start_end : script.inner_end])
    return "\n".join(texts)


def label_text(info: FormInfo, control: Node) -> str:
    label = label_for(info.form, control)
    text = label.text() if label else control.attrs.get("name", control.attrs.get("id", "This field"))
    return text.rstrip(" *:").strip() or "This field"


def password_rule(info: FormInfo, control: Node) -> tuple[int, list[str]] | None:
    """(minimum length, required character kinds) from markup or from a password check in the JS."""
    min_len = int(control.attrs["minlength"]) if control.attrs.get("minlength", "").isdigit() else 0
    kinds: list[str] = []
    for _, arg, body in PASSWORD_FN.findall(info.scripts):
        length = re.search(rf"{arg}\.length\s*>=?\s*(\d+)", body)
        if length:
            bump = 1 if re.search(rf"{arg}\.length\s*>\s*\d", body) else 0
            min_len = max(min_len, int(length.group(1)) + bump)
        for pattern in re.findall(r"/((?:\\.|[^/\n])+)/\.test\(", body):
            if pattern in CHAR_CLASSES and CHAR_CLASSES[pattern] not in kinds:
                kinds.append(CHAR_CLASSES[pattern])
    if not min_len and not kinds:
        return source_password_rule(info.scripts)
    return min_len, kinds


def describe_password_rule(rule: tuple[int, list[str]]) -> str:
    min_len, kinds = rule
    parts = []
    if min_len:
        parts.append(f"at least {min_len} characters")
    if kinds:
        parts.append("including " + " and ".join(kinds))
    return "Use " + ", ".join(parts) + "."


def pattern_for(info: FormInfo, control: Node) -> tuple[str, str] | None:
    """A regex constant in the site's JS whose name matches the field (PHONE for a tel field...)."""
    if control.attrs.get("pattern"):
        return control.attrs["pattern"], ""
    name = control.attrs.get("name", "").lower()
    tokens = set(re.split(r"[_\-]", name)) | ({"phone"} if control.attrs.get("type") == "tel" else set())
    for const, regex, flags in REGEX_CONST.findall(info.scripts):
        if const.lower() in tokens:
            return regex, flags
    return None
