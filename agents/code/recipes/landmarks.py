"""Landmarks a screen reader can tell apart: one main, one banner and one contentinfo per page, no
landmark inside one of its own kind, and every navigation (or aside) named uniquely.

A landmark is fixed where it is written: a second <main>, <header> or <footer>, or a <nav> inside a
<nav>, is demoted to a <div> (its attributes, classes and content kept); navigations that share a
page get an aria-label each that says which is which. Pages are judged whole, as their templates
render them together (recipes/compose.py), so a page's <main> inside its base template's <main> is
found; components (JSX/TSX) are judged per file. What axe reports as landmark-no-duplicate-main,
-banner, -contentinfo, landmark-unique and the *-is-top-level rules is what this removes.

A page with no main landmark (axe's landmark-one-main, and region for the content outside every
landmark) gets one where its content is written: the one content block between the header/nav and
the footer becomes a <main>, or the run of content elements there (the one with the h1) is wrapped
in <main>...</main>, when both ends are in one file and no template statement is cut in two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.code.jsx import JSX_SUFFIXES, elements
from agents.code.markup import Editor, Node, escape_attr
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.compose import Composer, Document

VARIANTS = 1
TAGS = {"main": "main", "nav": "navigation", "aside": "complementary", "header": "banner", "footer": "contentinfo"}
ROLES = frozenset(TAGS.values())
SINGLE = frozenset({"main", "banner", "contentinfo"})  # at most one per page
NAMED = ("aria-label", "aria-labelledby", "title")
SECTIONING = frozenset({"article", "aside", "main", "nav", "section"})
PAGER = re.compile(r"^(\d+|next|prev(ious)?|older|newer|first|last|page \d+|[«»‹›<>]+)$", re.IGNORECASE)
PURPOSES = [(re.compile(r"pag(e|ination|er)", re.IGNORECASE), "Pagination"),
            (re.compile(r"breadcrumb", re.IGNORECASE), "Breadcrumb"),
            (re.compile(r"\btoc\b|contents", re.IGNORECASE), "Table of contents"),
            (re.compile(r"social|share", re.IGNORECASE), "Social links"),
            (re.compile(r"user|account|profile", re.IGNORECASE), "Account"),
            (re.compile(r"side", re.IGNORECASE), "Sidebar")]


@dataclass(frozen=True)
class Edit:
    path: str
    start: int
    end: int  # start == end: an insertion
    text: str
    what: str


@dataclass
class Mark:
    """A landmark as the page has it: its element, role, enclosing element path and name."""
    tag: str
    role: str
    ancestors: list[tuple[str, str | None]]  # (tag, role) of every enclosing element, outermost first
    named: bool
    label: str  # its aria-label as written, if it has one
    hint: str  # class, id and text a name can be derived from
    links: list[str]
    heading: str


def _role(tag: str, attrs: dict[str, str], ancestor_tags: list[str]) -> str | None:
    explicit = attrs.get("role", "").strip().strip("\"'{}").lower()
    if explicit:
        return explicit if explicit in ROLES else None
    if tag in ("header", "footer") and SECTIONING & set(ancestor_tags):
        return None  # a header of an article or section is not the page's banner
    return TAGS.get(tag)


def _name(mark: Mark, index: int, taken: set[str]) -> str:
    """A name that says which navigation this is, unique on the page."""
    inside = {tag for tag, _ in mark.ancestors} | {role for _, role in mark.ancestors if role}
    if "footer" in inside or "contentinfo" in inside:
        name = "Footer"
    elif mark.links and all(PAGER.match(t.strip()) for t in mark.links):
        name = "Pagination"
    else:
        name = next((label for pattern, label in PURPOSES if pattern.search(mark.hint)), "")
        if not name and mark.heading and not re.search(r"[{}<>%]", mark.heading) and len(mark.heading) <= 40:
            name = mark.heading
        if not name:
            main = "header" in inside or "banner" in inside or index == 0
            name = ("Main" if main else "Secondary") if mark.role == "navigation" else "Sidebar"
    unique, n = name, 2
    while unique.lower() in taken:
        unique, n = f"{name} {n}", n + 1
    taken.add(unique.lower())
    return unique


def _plan(marks: list[Mark]) -> tuple[list[int], dict[int, str]]:
    """Which marks to demote (indexes) and which to name (index -> name)."""
    demote, kept, seen = [], [], set()
    for i, mark in enumerate(marks):
        nested = any(role == mark.role for _, role in mark.ancestors)
        if (mark.role in SINGLE and mark.role in seen) or nested:
            if mark.tag in TAGS and TAGS[mark.tag] == mark.role:  # only an element's own role can be dropped
                demote.append(i)
            continue
        seen.add(mark.role)
        kept.append(i)
    names: dict[int, str] = {}
    for role in ("navigation", "complementary"):
        group = [i for i in kept if marks[i].role == role]
        if len(group) < 2:
            continue
        taken = {marks[i].label.lower() for i in group if marks[i].label}
        for i in (i for i in group if not marks[i].named):
            names[i] = _name(marks[i], group.index(i), taken)
    return demote, names


def _html_marks(doc: Document) -> list[tuple[Node, Mark]]:
    out = []
    for node in doc.root.iter():
        chain, parent = [], node.parent
        while parent is not None and parent.tag != "#root":
            chain.insert(0, parent)
            parent = parent.parent
        tags = [n.tag for n in chain]
        role = _role(node.tag, node.attrs, tags)
        if role is None:
            continue
        ancestors = [(n.tag, _role(n.tag, n.attrs, tags[:k])) for k, n in enumerate(chain)]
        heading = next((h.text() for h in node.iter() if h.tag in ("h2", "h3", "h4", "h5", "h6")), "")
        hint = " ".join([node.attrs.get("class", ""), node.attrs.get("id", "")])
        out.append((node, Mark(node.tag, role, ancestors, any(node.attrs.get(a) for a in NAMED),
                               node.attrs.get("aria-label", ""), hint, [a.text() for a in node.find_all("a")], heading)))
    return out


def _html_edits(doc: Document) -> list[Edit]:
    found = _html_marks(doc)
    demote, names = _plan([m for _, m in found])
    edits = []
    for i in demote:
        node, mark = found[i]
        for at in (node.start + 1, doc.text.lower().rfind("</" + node.tag, node.start_end, node.end) + 2):
            if at >= 2 and doc.text[at : at + len(node.tag)].lower() == node.tag:
                path, offset = doc.origin(at)
                edits.append(Edit(path, offset, offset + len(node.tag), "div", f"a second {mark.role} <{node.tag}> is a <div>"))
    for i, name in names.items():
        node, mark = found[i]
        close = node.start_end - (2 if doc.text[node.start_end - 2 : node.start_end] == "/>" else 1)
        path, offset = doc.origin(close)
        edits.append(Edit(path, offset, offset, f' aria-label="{escape_attr(name)}"', f"<{node.tag}> named '{name}'"))
    return edits


LANDMARK_ROLES = ROLES - {"main"}
NEUTRAL = frozenset({"script", "style", "template", "noscript", "link", "meta", "title", "head", "base"})
TEMPLATE_OPEN = re.compile(r"{%-?\s*(if|for|block|macro|call|filter|with|raw|autoescape)\b|{{#")
TEMPLATE_CLOSE = re.compile(r"{%-?\s*end\w*|{{/")
EJS_CODE = re.compile(r"<%(?![=-])(.*?)%>", re.DOTALL)


def _balanced(source: str) -> bool:
    """Whether a span of a template opens and closes its own statements (a wrap must not cut an if in two)."""
    depth = 0
    for m in re.finditer(f"{TEMPLATE_OPEN.pattern}|{TEMPLATE_CLOSE.pattern}", source):
        depth += -1 if TEMPLATE_CLOSE.match(m.group(0)) else 1
        if depth < 0:
            return False
    braces = 0
    for m in EJS_CODE.finditer(source):
        braces += m.group(1).count("{") - m.group(1).count("}")
        if braces < 0:
            return False
    return depth == 0 and braces == 0


def _is_landmark(node: Node) -> bool:
    """A banner, navigation, contentinfo, complementary or search region (a <header> in a <section> is none)."""
    tags, parent = [], node.parent
    while parent is not None:
        tags.insert(0, parent.tag)
        parent = parent.parent
    return _role(node.tag, node.attrs, tags) in LANDMARK_ROLES


def _rendered_by_script(doc: Document) -> bool:
    """A page shell whose body shows no text of its own: a script renders what visitors see."""
    body = next((n for n in doc.root.iter() if n.tag == "body"), None)
    return body is not None and not body.text().strip() and bool(doc.root.find_all("script"))


def _main_edits(doc: Document) -> list[Edit]:
    """A <main> for a page that has none: its content block renamed, or its content run wrapped."""
    nodes = list(doc.root.iter())
    if any(_role(n.tag, n.attrs, []) == "main" for n in nodes) or not re.search(r"<(!doctype|html|body)\b", doc.text, re.IGNORECASE):
        return []
    container = next((n for n in nodes if n.tag == "body"), None) or next((n for n in nodes if n.tag == "html"), doc.root)
    while True:
        runs: list[list[Node]] = [[]]
        for child in container.children:
            if _is_landmark(child):
                runs.append([])
            elif child.tag not in NEUTRAL:
                runs[-1].append(child)
        runs = [r for r in runs if r]
        if not runs:
            return []
        lone = runs[0][0] if len(runs) == 1 and len(runs[0]) == 1 else None
        if lone is not None and lone.tag in ("div", "section") and not lone.attrs.get("role") \
                and any(_is_landmark(n) for n in lone.iter() if n is not lone):
            container = lone  # a wrapper around the whole page (<div id="app"><header>...): look inside it
            continue
        break
    run = next((r for r in runs if any(n.tag == "h1" for m in r for n in m.iter())), None) \
        or max(runs, key=lambda r: sum(len(m.text()) for m in r))
    if not "".join(m.text() for m in run).strip():
        return []  # an empty mount point (<div id="root">): a script renders the page, and its components say where
    if len(run) == 1 and run[0].tag in ("div", "section") and not run[0].attrs.get("role"):
        node = run[0]
        close = doc.text.lower().rfind("</" + node.tag, node.start_end, node.end) + 2
        if close >= 2 and doc.text[close : close + len(node.tag)].lower() == node.tag:
            what = f"the page's content <{node.tag}> is its <main>"
            return [Edit(*_span(doc, at, len(node.tag)), "main", what) for at in (node.start + 1, close)]
    (path, start), (end_path, end) = doc.origin(run[0].start), doc.origin(run[-1].end - 1)
    if path != end_path:
        return []
    from_source = _source_of(doc, path)
    if from_source is None or not _balanced(from_source[start : end + 1]):
        return []
    what = "the page's content is wrapped in <main>"
    return [Edit(path, start, start, "<main>", what), Edit(path, end + 1, end + 1, "</main>", what)]


def _span(doc: Document, at: int, length: int) -> tuple[str, int, int]:
    path, offset = doc.origin(at)
    return path, offset, offset + length


def _source_of(doc: Document, path: str) -> str | None:
    """The text of one source file of the document, as far as its pieces hold it (offsets of that file)."""
    pieces = [p for p in doc.pieces if p.path == path]
    if not pieces:
        return None
    text = [" "] * max(p.end for p in pieces)
    for piece, start in zip(doc.pieces, doc.starts):
        if piece.path == path:
            text[piece.start : piece.end] = doc.text[start : start + piece.end - piece.start]
    return "".join(text)


def _jsx_edits(path: str, source: str) -> list[Edit]:
    found = elements(path, source)
    marks = []
    for el in found:
        chain = [o for o in found if o.start < el.start and o.end >= el.end]
        tags = [o.tag for o in chain]
        role = _role(el.tag, el.attrs, tags)
        if role is None:
            continue
        ancestors = [(o.tag, _role(o.tag, o.attrs, tags[:k])) for k, o in enumerate(chain)]
        inner = [o for o in found if el.start <= o.start and o.end <= el.end]
        text = source[el.start : el.end]
        links = [re.sub(r"<[^>]+>|{[^}]*}", "", m).strip() for m in re.findall(r"<(?:a|Link|NavLink)\b[^>]*>(.*?)</", text)]
        heading = next((re.sub(r"<[^>]+>", "", source[o.attr_end : o.end]).strip(" >") for o in inner
                        if o.tag in ("h2", "h3", "h4", "h5", "h6")), "")
        hint = " ".join(v for k, v in el.attrs.items() if k in ("className", "id"))
        label = el.attrs.get("aria-label", "").strip("\"'{}")
        marks.append((el, Mark(el.tag, role, ancestors, any(a in el.attrs for a in NAMED), label, hint, links, heading)))
    demote, names = _plan([m for _, m in marks])
    edits = []
    for i in demote:
        el, mark = marks[i]
        edits.append(Edit(path, el.start + 1, el.start + 1 + len(el.tag), "div", f"a second {mark.role} <{el.tag}> is a <div>"))
        closing = f"</{el.tag}>"
        if source[el.end - len(closing) : el.end] == closing:
            edits.append(Edit(path, el.end - len(closing) + 2, el.end - 1, "div", f"a second {mark.role} <{el.tag}> is a <div>"))
    for i, name in names.items():
        el, _ = marks[i]
        edits.append(Edit(path, el.attr_end, el.attr_end, f' aria-label="{escape_attr(name)}"', f"<{el.tag}> named '{name}'"))
    return edits


def _component_files(ctx: RecipeContext) -> list[tuple[str, str]]:
    from agents.code.shell import source_files

    out = []
    for path in source_files(ctx.ws):
        if not path.endswith(JSX_SUFFIXES) or "variantlab-" in path or re.search(r"\.(test|spec|min)\.", path) \
                or any(p in ("tests", "test", "__tests__") for p in path.split("/")[:-1]):
            continue
        source = ctx.read(path)
        if re.search(r"<(main|nav|aside|header|footer)\b", source):
            out.append((path, source))
    return out


def apply(ctx: RecipeContext) -> str:
    edits: dict[tuple[str, int, int], Edit] = {}
    documents = Composer(ctx.templates).documents()
    components = _component_files(ctx)
    for doc in documents:
        for edit in _html_edits(doc):
            edits.setdefault((edit.path, edit.start, edit.end), edit)  # a shared base is planned once
    for path, source in components:
        for edit in _jsx_edits(path, source):
            edits.setdefault((edit.path, edit.start, edit.end), edit)
    # A missing <main>: not where a component renders one, and never in a file a page with a <main> also
    # renders (a shared layout), where it would put a second main around or inside that one.
    if not any(re.search(r"<main\b|role=[\"'{]*main\b", source) for _, source in components):
        with_main = {p.path for doc in documents for p in doc.pieces
                     if any(_role(n.tag, n.attrs, []) == "main" for n in doc.root.iter())}
        for doc in documents:
            for edit in _main_edits(doc):
                if edit.path not in with_main:
                    edits.setdefault((edit.path, edit.start, edit.end), edit)
    if not edits:
        shells = [doc.name for doc in documents if _rendered_by_script(doc)]
        if shells and not any(re.search(r"<main\b|role=[\"'{]*main\b", source) for _, source in components):
            # What the panel saw was drawn by script: the page files say nothing about its landmarks.
            raise RecipeError(f"the pages are rendered by script into an empty mount point ({', '.join(shells[:3])}), "
                              "and no JSX component renders a landmark this recipe can fix or place a <main> beside")
        raise RecipeError("no page without a main landmark and no duplicate or nested landmark in the sources: each "
                          "page has one main, at most one banner and contentinfo, none inside one of its own kind, "
                          "and its navigations are told apart")
    by_file: dict[str, list[Edit]] = {}
    for edit in edits.values():
        by_file.setdefault(edit.path, []).append(edit)
    for path, file_edits in sorted(by_file.items()):
        editor = Editor(ctx.read(path))
        for edit in sorted(file_edits, key=lambda e: e.start):
            editor.replace(edit.start, edit.end, edit.text)
        ctx.write(path, editor.result(), "; ".join(dict.fromkeys(e.what for e in file_edits)))
    whats = sorted({e.what for e in edits.values()})
    return f"{len(whats)} landmark fix(es) in {len(by_file)} source file(s): " + "; ".join(whats[:6])
