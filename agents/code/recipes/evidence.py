"""What an app's sources render that a behaviour module could act on, found from what files hold.

A module acts on the rendered page, so it would load on any app; a recipe first looks in the sources
(templates, pages, components, scripts) for what its module needs: a sign-up form, a list rendered
from data, a navigation bar, a request made after the first page, pages below the home page. With
none, the recipe refuses and says so instead of shipping a module that never does anything.
Each function returns evidence, one "path: what" line per finding, empty when there is none.
"""

from __future__ import annotations

import re

from agents.code.markup import Node
from agents.code.recipes.base import RecipeContext
from agents.code.site import Page

SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".vue", ".svelte")
SIGNUP = re.compile(r"regist|sign.?up|\bjoin\b|create.{0,12}account|get started|enrol", re.IGNORECASE)
LOGIN = re.compile(r"log.?\s?in|sign.?\s?in", re.IGNORECASE)
TEMPLATE_SYNTAX = re.compile(r"{{|{%|<%|\${")
LOOP = re.compile(r"{%-?\s*for\b|<%[^=\-%][^%]*?(?:\.forEach\(|\.map\(|\bfor\s*\(|\bwhile\s*\()")
JSX_MAP = re.compile(r"\.map\(\s*(?:\([^)]*\)|\w+)\s*=>\s*\(?\s*<|\.map\(\s*function")
DOM_BUILD = re.compile(r"createElement\(|\.innerHTML\s*\+?=|insertAdjacentHTML|appendChild\(|\.append\(|replaceChildren\(")
EMPTY_LIST = re.compile(r"<(ul|ol|tbody)\b[^>]*>\s*</\1\s*>", re.IGNORECASE)
REQUEST = re.compile(r"\bfetch\s*\(|\bXMLHttpRequest\b|\baxios\b|\$\.(?:ajax|get|post|getJSON)\b|\bhx-(?:get|post|put|delete)\b")
COMPUTED_LINK = re.compile(r"""(?:href|to)=\{|`/[\w-]+/\$\{|["']/[\w-]+/["']\s*\+""")
STICKY_CLASS = re.compile(r"^(sticky|fixed|sticky-top|fixed-top)$")
STICKY_RULE = re.compile(r"([^{}]*)\{[^{}]*\bposition\s*:\s*(?:sticky|fixed)\b", re.IGNORECASE)
NAV_SELECTOR = re.compile(r"(?<![\w-])(nav|header|navbar|topbar|site-header|masthead)(?![\w])", re.IGNORECASE)


def scripts(ctx: RecipeContext) -> list[tuple[str, str]]:
    """The app's own script and component files (not tests, not our modules, not minified bundles)."""
    from agents.code.shell import source_files
    from agents.code.source import read_source

    out = []
    for path in source_files(ctx.ws):
        if not path.endswith(SCRIPT_SUFFIXES) or "variantlab-" in path or path.endswith(".min.js") \
                or any(p in ("tests", "test", "__tests__") for p in path.split("/")[:-1]) \
                or re.search(r"\.(test|spec|config)\.", path):
            continue
        out.append((path, read_source(ctx.ws, path).text))
    return out


def _texts(node: Node) -> str:
    return " ".join([node.text(), node.attrs.get("action", "")]
                    + [n.attrs.get("value", "") for n in node.iter() if n.attrs.get("type") == "submit"])


def _sign_up(form: Node, page: Page) -> bool:
    inputs = [n for n in form.iter() if n.tag == "input"]
    passwords = sum(n.attrs.get("type", "").lower() == "password" for n in inputs)
    email = any(n.attrs.get("type", "").lower() == "email" or "mail" in n.attrs.get("name", "").lower() for n in inputs)
    titles = " ".join(n.text() for n in page.root.iter() if n.tag in ("title", "h1"))
    text = _texts(form) + " " + titles
    if passwords > 1:
        return True
    if LOGIN.search(text) and not SIGNUP.search(text):
        return False
    return bool(SIGNUP.search(text)) and (passwords > 0 or email)


def sign_up_forms(ctx: RecipeContext) -> list[str]:
    found = [f"{page.path}: a sign-up form" for page in ctx.templates
             for form in page.root.find_all("form") if _sign_up(form, page)]
    for path, text in scripts(ctx):
        passwords = len(re.findall(r"""type\s*[=:]\s*\{?\s*["']password["']""", text))
        if "<form" in text and (passwords > 1 or passwords and SIGNUP.search(text)):
            found.append(f"{path}: a sign-up form")
    return found


def _outside_chrome(node: Node | None) -> bool:
    """Not in the site's navigation, header or footer (what every page repeats)."""
    while node is not None:
        if node.tag in ("nav", "header", "footer"):
            return False
        node = node.parent
    return True


def _repeated_links(root: Node) -> bool:
    """Three or more same-shaped siblings that each hold a link, outside the site's navigation."""
    for node in root.iter():
        shapes: dict[tuple, int] = {}
        for child in node.children:
            if any(a.attrs.get("href") for a in child.iter() if a.tag == "a"):
                shapes[child.signature()] = shapes.get(child.signature(), 0) + 1
        if shapes and max(shapes.values()) >= 3 and _outside_chrome(node):
            return True
    return False


def rendered_lists(ctx: RecipeContext, with_links: bool = False) -> list[str]:
    """Lists rendered from data (a template loop, a component's map, a script that builds elements),
    or written out with items that link somewhere (with_links: a list a visitor leaves for an item)."""
    found = []
    for page in ctx.templates:
        loops = [m.end() for m in LOOP.finditer(page.source)]
        if any(not with_links or "href" in page.source[at : at + 1500] for at in loops):
            found.append(f"{page.path}: a list rendered in a template loop")
        elif not with_links and EMPTY_LIST.search(page.source):
            found.append(f"{page.path}: a list element with no items, filled in later")
        elif with_links and _repeated_links(page.root):
            found.append(f"{page.path}: a list of items that link to their own pages")
    for path, text in scripts(ctx):
        maps = [m.end() for m in JSX_MAP.finditer(text)]
        if maps and (not with_links or any(re.search(r"href|<Link\b", text[at : at + 800]) for at in maps)):
            found.append(f"{path}: a list a component renders from data")
        elif DOM_BUILD.search(text) and (not with_links or re.search(r"href|createElement\(\s*[\"']a[\"']", text)):
            found.append(f"{path}: elements a script builds from data")
    return found


def navigation_bars(ctx: RecipeContext) -> list[str]:
    found = []
    for page in ctx.templates:
        for node in page.root.iter():
            bar = node.tag in ("nav", "header") or node.attrs.get("role") in ("navigation", "banner")
            if bar and sum(1 for a in node.iter() if a.tag == "a" and a.attrs.get("href")) >= 2:
                found.append(f"{page.path}: <{node.tag}> with links")
                break
    for path, text in scripts(ctx):
        for match in re.finditer(r"<(nav|header)\b.*?</\1>", text, re.DOTALL):
            if len(re.findall(r"<(?:a|Link|NavLink)\b", match.group(0))) >= 2:
                found.append(f"{path}: <{match.group(1)}> with links")
                break
    return found


def kept_on_screen(ctx: RecipeContext) -> str | None:
    """Where the app already keeps its navigation on screen (a sticky/fixed class or rule), if it does."""
    from agents.code.shell import source_files
    from agents.code.source import read_source

    for page in ctx.templates:
        for node in page.root.iter():
            if node.tag in ("nav", "header") and any(STICKY_CLASS.match(c) for c in node.classes):
                return f"{page.path}: <{node.tag} class=\"{node.attrs.get('class', '')}\">"
    sheets = [(p, read_source(ctx.ws, p).text) for p in source_files(ctx.ws) if p.endswith((".css", ".scss", ".less"))]
    sheets += [(p.path, " ".join(" ".join(n.text_parts) for n in p.root.find_all("style"))) for p in ctx.templates]
    for path, css in sheets:
        for rule in STICKY_RULE.finditer(re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)):
            selector = rule.group(1).strip().split("}")[-1].strip()
            if NAV_SELECTOR.search(selector) and not re.search(r"dropdown|submenu|modal|popup", selector, re.IGNORECASE):
                return f"{path}: {selector} {{ position: sticky/fixed }}"
    return None


def requests_after_load(ctx: RecipeContext) -> list[str]:
    """Forms that are sent, and scripts that make requests: what a visitor waits for after a page."""
    found = [f"{page.path}: a form" for page in ctx.templates
             if any(any(n.tag in ("button", "input") for n in form.iter()) for form in page.root.find_all("form"))]
    found += [f"{path}: requests from a script" for path, text in scripts(ctx) if REQUEST.search(text)]
    found += [f"{path}: a form a component renders" for path, text in scripts(ctx) if "<form" in text]
    return found


def _local(href: str) -> str | None:
    """A link's target within the site, as a path without ./ ../ or query; None for other sites."""
    if not href or "://" in href or href.startswith(("#", "mailto:", "tel:", "javascript:", "//")):
        return None
    return re.sub(r"^(\./|\.\./)+", "", href.split("?")[0].split("#")[0]).strip("/")


def pages_below_home(ctx: RecipeContext) -> list[str]:
    """Detail pages: links from page content to a level below the home page, to an address the app
    computes per item, or to a page the site's navigation does not list (a section would be listed)."""
    links = [(page, a, _local(a.attrs.get("href", ""))) for page in ctx.templates for a in page.root.find_all("a")]
    sections = {target for _, a, target in links if target is not None and not _outside_chrome(a)}
    found = []
    for page, a, target in links:
        if target is None or not _outside_chrome(a):
            continue
        if TEMPLATE_SYNTAX.search(a.attrs.get("href", "")) or "/" in target or target not in sections | {""}:
            found.append(f"{page.path}: a link to {a.attrs.get('href')}")
    found += [f"{path}: links to addresses computed per item" for path, text in scripts(ctx) if COMPUTED_LINK.search(text)]
    return found
