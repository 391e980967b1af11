"""Accessibility fixes as edits of the source that renders the element (HTML, Jinja, EJS, JSX/TSX):
the page's language, text alternatives for images, names for unlabelled inputs.

Each edit adds one attribute to one tag, at its exact offset. A value the template computes (an
image of `post`) is given in the template's own syntax from the same object (`post.title`), so
every rendered image gets its own text.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections import Counter
from dataclasses import dataclass

from agents.code.jsx import JSX_SUFFIXES, elements
from agents.code.markup import Editor, Node, escape_attr, escape_text
from agents.code.recipes.base import TEST_FOLDERS, RecipeContext, RecipeError
from agents.code.site import Page

VARIANTS = 1
STOPWORDS = {
    "en": "the and of to is for with your you are this that",
    "fr": "le la les et des pour avec vous est une dans que",
    "de": "der die das und ist mit für sie ein eine nicht auf",
    "es": "el la los las y de para con usted es una que por",
    "it": "il la gli e di per con che una non sono del",
    "nl": "de het een en van voor met je is niet op dat",
    "pt": "o a os as e de para com você é uma que não",
}
NAME_FIELDS = ("title", "name", "label", "alt", "caption")
SKIP_TYPES = ("hidden", "submit", "button", "reset", "image")
# Single-file components whose markup is HTML with the framework's bindings (`:alt=`, `v-bind:alt=`,
# `alt={...}`): a field or an image there is fixed where it is written, like in a template.
COMPONENT_SUFFIXES = (".vue", ".svelte")
BOUND = (":", "v-bind:")  # Vue's bound form of an attribute: `:aria-label="expr"` names the field too


@dataclass
class Fix:
    path: str
    offset: int
    text: str  # raw text inserted at offset (an attribute with its leading space)
    what: str


def _human(text: str) -> str:
    stem = posixpath.splitext(posixpath.basename(text.split("?")[0]))[0]
    words = re.sub(r"[-_.]+", " ", re.sub(r"([a-z])([A-Z])", r"\1 \2", stem)).strip()
    return words[:1].upper() + words[1:].lower() if words else ""


def close_offset(page: Page, node: Node) -> int:
    """Where a new attribute goes in an element's start tag (before its ">" or "/>")."""
    return _close(page, node)


def _close(page: Page, node: Node) -> int:
    return node.start_end - (2 if page.source[node.start_end - 2 : node.start_end] == "/>" else 1)


def _dynamic_alt(src: str, source: str) -> str | None:
    """The template-side text of an image whose src the template computes, from the same object."""
    for pattern, wrap in ((r"{{\s*(\w+)\.", "{{{{ {}.{} }}}}"), (r"<%[=-]\s*(\w+)\.", "<%= {}.{} %>"),
                          (r"^{\s*(\w+)\.", "{{{}.{}}}")):
        match = re.search(pattern, src)
        if match:
            obj = match.group(1)
            field = next((f for f in NAME_FIELDS if re.search(rf"\b{obj}\.{f}\b", source)), None)
            return wrap.format(obj, field) if field else None
    return None


DOCTYPE = re.compile(r"\A\s*(?:(?:{#.*?#}|<!--.*?-->)\s*)*<!doctype\s+html\b[^>]*>", re.IGNORECASE | re.DOTALL)
PROMPT = re.compile(r"^[-\s\u2014]*((select|choose|pick)\b.*?)[-\s\u2014.:]*$", re.IGNORECASE)
CONTROLS = frozenset({"input", "select", "textarea", "button", "option", "img", "svg"})
TEMPLATE_CODE = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}|<%.*?%>", re.DOTALL)


def _components(ctx: RecipeContext) -> list[Page]:
    from agents.code.shell import source_files

    return [ctx.page(path) for path in source_files(ctx.ws) if path.lower().endswith(COMPONENT_SUFFIXES)
            and not any(p.lower() in TEST_FOLDERS for p in path.split("/")[:-1])]


def _has(node: Node, name: str) -> bool:
    """The attribute is written, plainly or bound to an expression."""
    return any(f"{prefix}{name}" in node.attrs for prefix in ("", *BOUND))


def _template_fixes(ctx: RecipeContext, recipe: str) -> list[Fix]:
    fixes = []
    for page in ctx.templates + ([] if recipe == "lang" else _components(ctx)):
        ids = {n.attrs.get("id") for n in page.root.iter() if n.attrs.get("id")}
        ids_labelled = {n.attrs.get("for") for n in page.root.find_all("label")}
        orphans = {i for i in ids_labelled if i and i not in ids}  # a <label for> whose field has no such id
        if recipe == "lang" and not page.root.find_all("html"):
            # A shell that leaves <html> implied (`<!doctype html><title>...`): the element is written out.
            doctype = DOCTYPE.match(page.source)
            if doctype:
                fixes.append(Fix(page.path, doctype.end(), f'\n<html lang="{_language(page.root.text())}">',
                                 "lang (on an <html> the page left implied)"))
        for node in page.root.iter():
            if recipe == "lang" and node.tag == "html" and not node.attrs.get("lang"):
                fixes.append(Fix(page.path, _close(page, node), f' lang="{_language(page.root.text())}"', "lang"))
            elif recipe == "alt_text" and node.tag == "img" and not _has(node, "alt") \
                    and not any(f"{prefix}src" in node.attrs for prefix in BOUND):  # a bound src: no name to give
                src = node.attrs.get("src", "")
                dynamic = _dynamic_alt(src, page.source) if "{" in src or "<%" in src else None
                alt = dynamic or escape_attr(_human(src))
                fixes.append(Fix(page.path, _close(page, node), f' alt="{alt}"', f"alt for {src or 'an image'}"))
            elif recipe == "input_labels" and node.tag in ("input", "select", "textarea") \
                    and node.attrs.get("type", "text") not in SKIP_TYPES and not _named(node, ids_labelled):
                fixes += _label_fixes(ctx, page, node, ids, orphans)
    return fixes


def _label_fixes(ctx: RecipeContext, page: Page, node: Node, ids: set[str | None], orphans: set[str | None]) -> list[Fix]:
    """A name for one field: its orphan <label for> (given the id it names), a visible <label> (the
    alternative design) or an aria-label, from its placeholder, name, the text before it or its options."""
    field = node.attrs.get("name") or node.attrs.get("id") or node.tag
    name_attr = node.attrs.get("name", "")
    if not node.attrs.get("id") and name_attr in orphans:
        return [Fix(page.path, _close(page, node), f' id="{escape_attr(name_attr)}"',
                    f"the {name_attr} field has the id its <label for> names")]
    name = node.attrs.get("placeholder") or _human(name_attr or node.attrs.get("id") or "") \
        or _text_before(page, node) or _options_name(node)
    if not name or "{" in name or "<%" in name:
        return []
    if ctx.design == "alternative" and not _in_loop(page.source, node.start) and not _repeated(node):
        field_id = node.attrs.get("id") or name_attr or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        if field_id and "{" not in field_id and "<%" not in field_id and (node.attrs.get("id") or field_id not in ids):
            fixes = [Fix(page.path, node.start, f'<label for="{escape_attr(field_id)}">{escape_text(name)}</label> ',
                         f"a visible label for the {field} field")]
            if not node.attrs.get("id"):
                fixes.append(Fix(page.path, _close(page, node), f' id="{escape_attr(field_id)}"',
                                 f"a visible label for the {field} field"))
            ids.add(field_id)
            return fixes
    return [Fix(page.path, _close(page, node), f' aria-label="{escape_attr(name)}"', f"a name for the {field} field")]


def _in_loop(source: str, offset: int) -> bool:
    """Whether a template repeats this spot (one id for a field rendered many times would not be unique)."""
    before = source[:offset]
    jinja = len(re.findall(r"{%-?\s*for\b", before)) - len(re.findall(r"{%-?\s*endfor\b", before))
    ejs = sum(m.count("{") - m.count("}") for m in re.findall(r"<%(?![=-])(.*?)%>", before, re.DOTALL))
    svelte = len(re.findall(r"{#each\b", before)) - len(re.findall(r"{/each}", before))
    return jinja > 0 or ejs > 0 or svelte > 0


def _repeated(node: Node) -> bool:
    """A component renders this spot once per item (Vue's v-for on it or around it, Svelte's each block
    is counted by _in_loop's text scan)."""
    parent: Node | None = node
    while parent is not None:
        if "v-for" in parent.attrs:
            return True
        parent = parent.parent
    return False


def _text_before(page: Page, node: Node) -> str:
    """The short text written just before the field ("Sort by" in `<span>Sort by</span> <select>`): the
    parent's own text before it, else the text of the element before it when that is not another control."""
    parent = node.parent
    siblings = parent.children if parent is not None else []
    prev = next((c for c in reversed(siblings[: siblings.index(node)]) if c.tag not in ("br", "script", "style")), None) \
        if node in siblings else None
    start = prev.end if prev is not None else (parent.start_end if parent is not None and parent.tag != "#root" else 0)
    own = " ".join(re.sub(r"<[^>]+>", " ", TEMPLATE_CODE.sub(" ", page.source[start : node.start])).split())
    text = own or (prev.text() if prev is not None and prev.tag not in CONTROLS else "")
    text = html.unescape(text).strip(" :*")
    return text if "{" not in text and "<%" not in text and 0 < len(text) <= 40 and len(text.split()) <= 5 else ""


def _options_name(node: Node) -> str:
    """A select's name from its options: a prompt option ("Choose a country"), else the first choices."""
    options = [o.text() for o in node.find_all("option") if o.text() and "{" not in o.text() and "<%" not in o.text()]
    if not options:
        return ""
    prompt = PROMPT.match(options[0])
    if prompt:
        return prompt.group(1)[:1].upper() + prompt.group(1)[1:]
    return " / ".join(options[:2]) + (" \u2026" if len(options) > 2 else "")


def _named(node: Node, ids_labelled: set[str | None]) -> bool:
    if any(node.attrs.get(a) or any(f"{prefix}{a}" in node.attrs for prefix in BOUND)
           for a in ("aria-label", "aria-labelledby", "title")):
        return True
    if node.attrs.get("id") and node.attrs["id"] in ids_labelled:
        return True
    parent = node.parent
    while parent is not None:
        if parent.tag == "label":
            return True
        parent = parent.parent
    return False


def _jsx_fixes(ctx: RecipeContext, recipe: str) -> list[Fix]:
    from agents.code.shell import source_files

    fixes = []
    for path in source_files(ctx.ws):
        if not path.endswith(JSX_SUFFIXES) or any(p in ("tests", "test", "__tests__") for p in path.split("/")[:-1]) \
                or re.search(r"\.(test|spec)\.", path) or "variantlab-" in path:
            continue
        source = ctx.read(path)
        if "<" not in source or "/>" not in source and "</" not in source:
            continue
        for el in elements(path, source):
            if recipe == "alt_text" and el.tag == "img" and "alt" not in el.attrs:
                src = el.attrs.get("src", "")
                alt = _dynamic_alt(src, source) if src.startswith("{") else None
                text = f" alt={alt}" if alt else f' alt="{escape_attr(_human(src.strip(chr(34) + chr(39))))}"'
                fixes.append(Fix(path, el.attr_end, text, f"alt for {src or 'an image'}"))
            elif recipe == "input_labels" and el.tag in ("input", "select", "textarea") \
                    and el.attrs.get("type", '"text"').strip("\"'") not in SKIP_TYPES \
                    and not any(a in el.attrs for a in ("aria-label", "aria-labelledby", "title", "id")):
                placeholder = el.attrs.get("placeholder", "").strip("\"'")
                name = placeholder if placeholder and "{" not in placeholder else _human(el.attrs.get("name", "").strip("\"'"))
                if name:
                    fixes.append(Fix(path, el.attr_end, f' aria-label="{escape_attr(name)}"',
                                     f"a name for the {name} field"))
    return fixes


def _language(text: str) -> str:
    words = Counter(re.findall(r"[a-zà-ÿ]+", text.lower()))
    scores = {lang: sum(words[w] for w in stop.split()) for lang, stop in STOPWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else "en"


def _apply(ctx: RecipeContext, recipe: str, nothing: str) -> str:
    fixes = _template_fixes(ctx, recipe) + ([] if recipe == "lang" else _jsx_fixes(ctx, recipe))
    return write_fixes(ctx, fixes, nothing)


def markup_sources(ctx: RecipeContext) -> list[Page]:
    """Templates and single-file components: every markup source whose elements are fixed in place."""
    return ctx.templates + _components(ctx)


def write_fixes(ctx: RecipeContext, fixes: list[Fix], nothing: str) -> str:
    """Insert each fix at its offset, file by file; RecipeError(nothing) when there are none."""
    if not fixes:
        raise RecipeError(nothing)
    by_file: dict[str, list[Fix]] = {}
    for fix in fixes:
        by_file.setdefault(fix.path, []).append(fix)
    for path, file_fixes in by_file.items():
        source = ctx.read(path)
        editor = Editor(source)
        for fix in file_fixes:
            text = fix.text
            if text.startswith(" ") and fix.offset and source[fix.offset - 1] in " \t\r\n":
                text = text[1:] + " "  # `<input name="q" />`: the attribute takes the space that is there
            editor.insert(fix.offset, text)
        ctx.write(path, editor.result(), "; ".join(f.what for f in file_fixes))
    return f"{len(fixes)} fix(es) in {len(by_file)} source file(s): " + "; ".join(
        sorted({f.what for f in fixes})[:6])


def lang(ctx: RecipeContext) -> str:
    return _apply(ctx, "lang", "every page shell in the sources already says its language (on its <html> element)")


def alt_text(ctx: RecipeContext) -> str:
    return _apply(ctx, "alt_text", "every image in the sources already has a text alternative")


def input_labels(ctx: RecipeContext) -> str:
    return _apply(ctx, "input_labels", "every field in the sources already has a label or an accessible name")
