"""Discover a static site's structure from its markup: listing pages, product lists, forms.

Nothing here knows a file name or a class name of any particular shop: a product list is a group
of repeated sibling elements that each hold a link and a price, found wherever it is.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from agents.code.markup import Node, parse

PRICE = re.compile(r"(?:[$€£¥]\s?\d[\d,]*(?:\.\d{1,2})?|\d[\d,]*(?:\.\d{2})?\s?(?:€|EUR|USD|GBP|kr))")
MIN_ITEMS = 3
# Dependency, vendored and generated folders: never read as the app's source, never edited.
VENDORED = frozenset({"node_modules", ".git", ".venv", "venv", "env", "vendor", "dist", "build", "coverage",
                      "htmlcov", "site-packages", "__pycache__", ".tox", ".next", ".cache", "bower_components"})


class Workspace(Protocol):
    """The file API a code agent works through (a Sandbox satisfies it)."""

    def list_files(self, path: str = ".") -> list[str]: ...

    def read_file(self, path: str) -> str: ...

    def write_file(self, path: str, content: str) -> None: ...


@dataclass
class ProductList:
    path: str  # the page's file path in the workspace
    source: str
    container: Node
    items: list[Node]

    @property
    def signature(self) -> tuple:
        return (self.container.signature(), self.items[0].signature())


@dataclass
class Page:
    path: str
    source: str
    root: Node
    encoding: str = "utf-8"  # written back in it (see agents/code/source.py)


def _is_product_item(node: Node) -> bool:
    has_link = any(a.attrs.get("href") for a in node.find_all("a"))
    has_price = "data-price" in node.attrs or bool(PRICE.search(node.text()))
    return has_link and has_price


def find_product_list(path: str, source: str, root: Node) -> ProductList | None:
    """The largest group of same-shaped siblings that each look like a product card."""
    best: ProductList | None = None
    for node in root.iter():
        groups: dict[tuple, list[Node]] = {}
        for child in node.children:
            groups.setdefault(child.signature(), []).append(child)
        for members in groups.values():
            items = [m for m in members if _is_product_item(m)]
            complete = len(items) >= MIN_ITEMS and len(items) == len(members)
            if complete and (best is None or len(items) > len(best.items)):
                best = ProductList(path, source, node, items)
    return best


def html_files(ws: Workspace, static_root: str = ".") -> list[str]:
    """The static root's pages: not in dependency, vendored or build folders, nothing git ignores."""
    from agents.code.shell import source_files

    files = source_files(ws, static_root)
    return sorted(f for f in files if f.lower().endswith((".html", ".htm"))
                  and not any(p in ("tests", "test") for p in f.split("/")[:-1]))


def load_pages(ws: Workspace, static_root: str = ".") -> list[Page]:
    from agents.code.source import read_source

    pages = []
    for path in html_files(ws, static_root):
        file = read_source(ws, path)
        pages.append(Page(path, file.text, parse(file.text), file.encoding))
    return pages


def listing_pages(pages: list[Page]) -> list[ProductList]:
    """Pages whose product list has the site's dominant shape (related-items asides don't count)."""
    lists = [pl for p in pages if (pl := find_product_list(p.path, p.source, p.root))]
    if not lists:
        return []
    weight: Counter = Counter()
    for pl in lists:
        weight[pl.signature] += len(pl.items)
    dominant = weight.most_common(1)[0][0]
    return [pl for pl in lists if pl.signature == dominant]


def forms(page: Page) -> list[Node]:
    return [f for f in page.root.find_all("form") if fields(f)]


def fields(form: Node) -> list[Node]:
    """The user-editable controls of a form (not hidden inputs or buttons)."""
    out = []
    for node in form.iter():
        if node.tag in ("select", "textarea") or node.tag == "input" and node.attrs.get("type", "text") not in ("hidden", "submit", "button", "reset", "image"):
            out.append(node)
    return out


def label_for(form: Node, control: Node) -> Node | None:
    """The <label> that names a control: by for=id, or by wrapping it."""
    cid = control.attrs.get("id")
    for label in form.find_all("label"):
        if cid and label.attrs.get("for") == cid:
            return label
        if control in list(label.iter()):
            return label
    return None


def relpath(target: str, from_page: str) -> str:
    """A link from the page at `from_page` to the workspace file `target`."""
    return posixpath.relpath(target, posixpath.dirname(from_page) or ".")


def asset_path(static_root: str, name: str) -> str:
    return posixpath.normpath(posixpath.join(static_root, name))
