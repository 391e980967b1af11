"""Whole documents as the app renders them from its templates, with every offset traced to its source.

A landmark problem is often between files: the base template's <main> around a page's own <main>,
a header partial's <nav> next to a page's pagination <nav>. Jinja `extends`/`block`/`include` and
EJS `include` are resolved into one text (the template logic stays in it as text), so the HTML
parser sees the document a browser would; `origin` maps an offset of that text back to the file
and offset to edit. Static pages are documents of their own.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from dataclasses import dataclass

from agents.code.markup import Node, parse
from agents.code.site import Page

JINJA_TAG = re.compile(r"{%-?\s*(block|endblock|include|extends)\b\s*(?:[\"']([^\"']+)[\"']|(\w+))?[^%]*?-?%}")
EJS_INCLUDE = re.compile(r"""<%-\s*include\(\s*["']([^"']+)["'][^%]*%>|<%\s*include\s+([\w./-]+)\s*%>""")
MAX_DEPTH = 12  # a template that includes itself would never end


@dataclass(frozen=True)
class Piece:
    path: str
    start: int
    end: int


@dataclass
class Document:
    name: str  # the template (or page) this document is rendered from
    text: str
    pieces: list[Piece]
    starts: list[int]  # offset in text where each piece begins
    _root: Node | None = None

    @property
    def root(self) -> Node:
        if self._root is None:
            self._root = parse(self.text)
        return self._root

    def origin(self, offset: int) -> tuple[str, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        piece = self.pieces[i]
        return piece.path, piece.start + offset - self.starts[i]


class Composer:
    def __init__(self, templates: list[Page]) -> None:
        self.sources = {p.path: p.source for p in templates}

    def resolve(self, name: str, base: str, kind: str) -> str | None:
        """A template named by an extends/include: relative to the includer (EJS), else by the end of its path."""
        if kind == "ejs":
            name = name if posixpath.splitext(name)[1] else name + ".ejs"
            candidate = posixpath.normpath(posixpath.join(posixpath.dirname(base), name))
            if candidate in self.sources:
                return candidate
        return next((p for p in self.sources if p == name or p.endswith("/" + name.lstrip("./"))), None)

    def referenced(self) -> set[str]:
        """Templates other templates extend or include (parts, not documents)."""
        out = set()
        for path, text in self.sources.items():
            for m in JINJA_TAG.finditer(text):
                if m.group(1) in ("extends", "include") and m.group(2):
                    out.add(self.resolve(m.group(2), path, "jinja"))
            for m in EJS_INCLUDE.finditer(text):
                out.add(self.resolve(m.group(1) or m.group(2), path, "ejs"))
        return {p for p in out if p}

    def documents(self) -> list[Document]:
        parts = self.referenced()
        out = []
        for path in self.sources:
            if path in parts:
                continue
            pieces = self._render(path, {}, 0)
            starts, text, at = [], [], 0
            for piece in pieces:
                starts.append(at)
                text.append(self.sources[piece.path][piece.start : piece.end])
                at += piece.end - piece.start
            out.append(Document(path, "".join(text), pieces, starts))
        return out

    def _render(self, path: str, blocks: dict[str, list[Piece]], depth: int) -> list[Piece]:
        text = self.sources[path]
        extends = next((m for m in JINJA_TAG.finditer(text) if m.group(1) == "extends"), None)
        parent = self.resolve(extends.group(2), path, "jinja") if extends and extends.group(2) else None
        if parent and depth < MAX_DEPTH:
            # A child renders only its blocks, into its parent; a deeper child's blocks win.
            own = {name: self._span(path, start, end, blocks, depth) for name, start, end in self._blocks(text, 0, len(text))}
            return self._render(parent, {**own, **blocks}, depth + 1)
        return self._span(path, 0, len(text), blocks, depth)

    @staticmethod
    def _blocks(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
        """Top-level blocks in text[start:end]: (name, body start, body end); nested ones stay inside."""
        out, depth, opened = [], 0, ("", 0)
        for m in JINJA_TAG.finditer(text, start, end):
            if m.group(1) == "block":
                if depth == 0:
                    opened = (m.group(3) or m.group(2) or "", m.end())
                depth += 1
            elif m.group(1) == "endblock" and depth:
                depth -= 1
                if depth == 0:
                    out.append((opened[0], opened[1], m.start()))
        return out

    def _span(self, path: str, start: int, end: int, blocks: dict[str, list[Piece]], depth: int) -> list[Piece]:
        """text[start:end] of `path` with its blocks overridden and its includes inlined."""
        text = self.sources[path]
        events = [(b_start, b_end, name) for name, b_start, b_end in self._blocks(text, start, end)]
        pieces, at = [], start
        tags = [(m.start(), m.end(), "include", m.group(2)) for m in JINJA_TAG.finditer(text, start, end)
                if m.group(1) == "include" and m.group(2)]
        tags += [(m.start(), m.end(), "ejs", m.group(1) or m.group(2)) for m in EJS_INCLUDE.finditer(text, start, end)]
        for b_start, b_end, name in events:
            tags.append((b_start, b_end, "block", name))
        for t_start, t_end, kind, name in sorted(tags):
            if t_start < at:
                continue  # inside a block handled as a whole
            pieces.append(Piece(path, at, t_start))
            if kind == "block":
                inner = blocks.get(name)
                pieces += inner if inner is not None else self._span(path, t_start, t_end, blocks, depth)
                end_tag = JINJA_TAG.search(text, t_end)
                at = end_tag.end() if end_tag else t_end
                continue
            target = self.resolve(name, path, "ejs" if kind == "ejs" else "jinja")
            if target and depth < MAX_DEPTH:
                pieces += self._render(target, {}, depth + 1)
            at = t_end
        pieces.append(Piece(path, at, end))
        return [p for p in pieces if p.end > p.start]
