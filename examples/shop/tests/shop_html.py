"""A tiny element tree over html.parser, for tests that check structure (stdlib only)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# HTML lets these close implicitly; any other mismatch is a real nesting error.
IMPLIED_END = {"p", "li", "option", "optgroup", "td", "th", "tr", "dt", "dd", "thead", "tbody", "tfoot"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    line: int = 0
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)]

    def find(self, tag: str | None = None, cls: str | None = None) -> Node | None:
        found = self.find_all(tag, cls)
        return found[0] if found else None

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join("".join(parts).split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}, self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        open_tags = [n.tag for n in self.stack[1:]]
        if tag not in open_tags:
            self.errors.append(f"line {self.getpos()[0]}: stray </{tag}>")
            return
        while self.stack[-1].tag != tag:
            dropped = self.stack.pop()
            if dropped.tag not in IMPLIED_END:
                self.errors.append(f"line {dropped.line}: <{dropped.tag}> not closed before </{tag}>")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(path: Path) -> tuple[Node, list[str]]:
    """The document tree and a list of nesting errors (empty when well-formed enough)."""
    builder = _Builder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    errors = list(builder.errors)
    errors += [
        f"line {n.line}: <{n.tag}> never closed" for n in builder.stack[1:] if n.tag not in IMPLIED_END
    ]
    return builder.root, errors


def is_external(url: str) -> bool:
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://", "//"))


def local_target(page: Path, href: str) -> Path | None:
    """The file a relative link points at, or None for fragments, mailto: and the like."""
    href = href.split("#", 1)[0].split("?", 1)[0]
    if not href or ":" in href or is_external(href):
        return None
    target = (page.parent / href).resolve()
    return target / "index.html" if target.is_dir() else target
