"""A forgiving HTML tree with source offsets, so recipes can edit a page's text in place.

The standard library parser reports tag positions; we keep them as offsets into the source so an
edit changes only the bytes it means to (the diff stays small and reviewable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Tags whose start implicitly closes an open sibling of the same kind (enough for real pages).
SELF_CLOSING_SIBLINGS = {"li", "p", "option", "tr", "td", "th", "dt", "dd"}
_LONE_LF = re.compile(r"(?<!\r)\n")


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    start: int  # offset of "<"
    start_end: int  # offset just after the start tag's ">"
    end: int = -1  # offset just after the end tag (or the start tag for void elements)
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(sorted(self.attrs.get("class", "").split()))

    @property
    def inner_end(self) -> int:
        """Offset of the end tag's "<" (where content can be appended)."""
        return self.end - len(f"</{self.tag}>") if self.end > self.start_end else self.start_end

    def iter(self):  # type: ignore[no-untyped-def]
        yield self
        for child in self.children:
            yield from child.iter()

    def text(self) -> str:
        parts: list[str] = []
        for node in self.iter():
            parts.extend(node.text_parts)
        return " ".join(" ".join(parts).split())

    def find_all(self, tag: str) -> list[Node]:
        return [n for n in self.iter() if n.tag == tag]

    def signature(self) -> tuple[str, tuple[str, ...]]:
        return (self.tag, self.classes)


class _TreeBuilder(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", source)]
        self.root = Node("#root", {}, 0, 0, len(source))
        self.stack = [self.root]

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _close_top(self, at: int) -> None:
        node = self.stack.pop()
        node.end = at

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        raw = self.get_starttag_text() or ""
        if tag in SELF_CLOSING_SIBLINGS and self.stack[-1].tag == tag:
            self._close_top(start)
        node = Node(tag, {k: (v or "") for k, v in attrs}, start, start + len(raw), parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag in VOID or raw.endswith("/>"):
            node.end = node.start_end
        else:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self.stack[-1].tag == tag and tag not in VOID:
            self._close_top(self.stack[-1].start_end)

    def handle_endtag(self, tag: str) -> None:
        at = self._offset()
        open_tags = [n.tag for n in self.stack]
        if tag not in open_tags[1:]:
            return  # a stray end tag: browsers ignore it, so do we
        close_at = self.source.find(">", at) + 1 or at
        while self.stack[-1].tag != tag:
            self._close_top(at)
        self._close_top(close_at)

    def handle_data(self, data: str) -> None:
        if self.stack[-1].tag not in ("script", "style"):
            self.stack[-1].text_parts.append(data)


def parse(source: str) -> Node:
    builder = _TreeBuilder(source)
    builder.feed(source)
    builder.close()
    while len(builder.stack) > 1:
        builder._close_top(len(source))
    return builder.root


class Editor:
    """Collects insertions at offsets of one source text and applies them all at once."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._edits: list[tuple[int, int, int, str]] = []  # (start, order, end, text)
        crlf = source.count("\r\n")
        # Inserted lines end the way the file's lines do, so a CRLF file's diff holds only the edit.
        self._crlf = bool(crlf) and crlf >= source.count("\n") - crlf

    def _native(self, text: str) -> str:
        return _LONE_LF.sub("\r\n", text) if self._crlf else text

    def insert(self, offset: int, text: str) -> None:
        self._edits.append((offset, len(self._edits), offset, self._native(text)))

    def replace(self, start: int, end: int, text: str) -> None:
        """Replace source[start:end]; ranges of different edits must not overlap."""
        self._edits.append((start, len(self._edits), end, self._native(text)))

    def add_attribute(self, node: Node, name: str, value: str) -> None:
        if name in node.attrs:
            return
        close = node.start_end - (2 if self.source[node.start_end - 2 : node.start_end] == "/>" else 1)
        self.insert(close, f' {name}="{escape_attr(value)}"')

    def before_end_of(self, tag: str, text: str, root: Node) -> bool:
        nodes = root.find_all(tag)
        if not nodes or nodes[0].end <= nodes[0].start_end:
            return False
        # An element without its end tag in the source was closed by the parser at some later
        # offset; inserting there would put a <link> at the end of the body, not in the head.
        at = self.source.lower().rfind(f"</{tag}", nodes[0].start_end, nodes[0].end)
        if at < 0:
            return False
        self.insert(at, text)
        return True

    def result(self) -> str:
        out = self.source
        for start, _, end, text in sorted(self._edits, key=lambda e: (e[0], e[1]), reverse=True):
            out = out[:start] + text + out[end:]
        return out


def escape_attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def escape_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
