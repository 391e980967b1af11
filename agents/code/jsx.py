"""JSX/TSX elements with exact offsets (tree-sitter), so a markup fix edits only the element's tag.

Offsets are character offsets into the source text (tree-sitter counts bytes of UTF-8; they are
converted), so they work with agents/code/markup.Editor like the HTML tree's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Node, Parser

JSX_SUFFIXES = (".jsx", ".tsx", ".js", ".mjs")


@dataclass(frozen=True)
class JsxElement:
    tag: str
    attrs: dict[str, str]  # name -> the value as written ("'x'" or "{expr}"); "" for a bare attribute
    start: int  # offset of "<"
    attr_end: int  # where a new attribute can go: before ">" or "/>" of the opening tag
    end: int  # offset just after the whole element (its closing tag, or "/>")


@cache
def _parser(tsx: bool) -> Parser:
    language = tree_sitter_typescript.language_tsx() if tsx else tree_sitter_javascript.language()
    return Parser(Language(language))


def elements(path: str, source: str) -> list[JsxElement]:
    """The JSX elements of a source file with lower-case (DOM) tag names."""
    data = source.encode("utf-8")
    tree = _parser(path.endswith((".tsx", ".ts"))).parse(data)
    # Byte offsets to character offsets: only needed where the text holds non-ASCII characters.
    ascii_only = len(data) == len(source)

    def char(offset: int) -> int:
        return offset if ascii_only else len(data[:offset].decode("utf-8", errors="ignore"))

    out: list[JsxElement] = []
    stack: list[Node] = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(reversed(node.children))
        if node.type not in ("jsx_opening_element", "jsx_self_closing_element"):
            continue
        name = node.child_by_field_name("name")
        if name is None or not name.text or not name.text.decode()[:1].islower():
            continue
        attrs: dict[str, str] = {}
        for attr in node.children:
            if attr.type != "jsx_attribute" or not attr.named_children:
                continue
            key = attr.named_children[0].text.decode() if attr.named_children[0].text else ""
            value = attr.named_children[1].text.decode() if len(attr.named_children) > 1 and attr.named_children[1].text else ""
            attrs[key] = value
        close = node.end_byte - (2 if node.type == "jsx_self_closing_element" else 1)
        while close > node.start_byte and data[close - 1 : close] in (b" ", b"\n", b"\t", b"\r"):
            close -= 1
        whole = node if node.type == "jsx_self_closing_element" else node.parent
        out.append(JsxElement(name.text.decode(), attrs, char(node.start_byte), char(close),
                              char(whole.end_byte if whole is not None else node.end_byte)))
    return out


def parses(path: str, source: str) -> bool:
    """The source is still valid JS/TSX (an edit must not leave a syntax error behind)."""
    return not _parser(path.endswith((".tsx", ".ts"))).parse(source.encode("utf-8")).root_node.has_error
