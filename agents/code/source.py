"""Source files as their bytes are: edits change only the bytes they mean to.

The text file API of a sandbox decodes UTF-8 with replacement and translates newlines, so a latin-1
page came back with U+FFFD and a CRLF page came back as LF (every line of it in the diff). Here a
file is read as bytes, decoded losslessly (UTF-8, else latin-1, which maps every byte), and written
back in its own encoding; text a recipe inserts takes the file's newline style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agents.code.site import Workspace

_LONE_LF = re.compile(r"(?<!\r)\n")


@dataclass
class SourceFile:
    path: str
    text: str
    encoding: str  # "utf-8" | "latin-1"
    newline: str  # "\r\n" when the file's lines end so, else "\n"

    def native(self, inserted: str) -> str:
        """Text a recipe wrote with "\\n" line ends, in this file's newline style."""
        return _LONE_LF.sub("\r\n", inserted) if self.newline == "\r\n" else inserted

    def encode(self, text: str) -> bytes:
        # A character the file's encoding lacks (a curly quote in a latin-1 page) becomes a reference.
        return text.encode(self.encoding, errors="xmlcharrefreplace")


def decode(path: str, raw: bytes) -> SourceFile:
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("latin-1"), "latin-1"
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"
    return SourceFile(path, text, encoding, newline)


def read_bytes(ws: Workspace, path: str) -> bytes:
    """A sandbox (and a wrapper of one) gives the bytes; a text-only workspace (a test's folder or
    memory store) holds its files as text already, so its text is what there is to edit."""
    reader = getattr(ws, "read_bytes", None)
    if callable(reader):
        return reader(path)
    return ws.read_file(path).encode("utf-8")


def write_bytes(ws: Workspace, path: str, data: bytes, text: str) -> None:
    """Write a file's new bytes; `text` is the same content for text-only workspaces."""
    writer = getattr(ws, "write_bytes", None)
    if callable(writer):
        writer(path, data)
        return
    ws.write_file(path, text)


def read_source(ws: Workspace, path: str) -> SourceFile:
    return decode(path, read_bytes(ws, path))
