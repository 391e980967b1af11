"""What every recipe works with: the workspace, the chosen markup variant, and a change log."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agents.code.markup import Editor, parse
from agents.code.site import Page, Workspace, asset_path, load_pages, relpath
from agents.code.source import read_source, write_bytes

# The solve matrix's strategies, as real alternatives each recipe interprets: "alternative" moves the
# control (top of the section instead of above the list), validates on submit instead of on leaving a
# field, or words it differently; "minimal" changes markup only and adds no script.
DESIGNS = ("baseline", "alternative", "minimal")
TEMPLATE_SUFFIXES = (".html", ".htm", ".jinja", ".jinja2", ".j2", ".ejs")


# Folders whose pages render test harnesses, not the app users see (a component-test index.html in
# cypress/support, a fixture page): a change there would be measured by nobody.
TEST_FOLDERS = frozenset({"test", "tests", "__tests__", "spec", "specs", "e2e", "cypress", "playwright",
                          "fixtures", "__fixtures__", "__mocks__", "storybook-static", ".storybook"})

class RecipeError(Exception):
    """The recipe cannot implement the change on this site; the message says why."""


@dataclass
class RecipeContext:
    ws: Workspace
    static_root: str = "."
    variant: int = 0  # which of a recipe's equivalent markup variants to use (seeded by temperature)
    refined: bool = False  # feedback_refined: add accessibility refinements on top
    design: str = "baseline"  # one of DESIGNS: the alternative this run builds
    changes: dict[str, list[str]] = field(default_factory=dict)
    _pages: list[Page] | None = None
    _encodings: dict[str, str] = field(default_factory=dict)

    _shell: Any = None
    _templates: list[Page] | None = None

    @property
    def pages(self) -> list[Page]:
        """The static root's HTML pages (what a static site serves as it is)."""
        if self._pages is None:
            self._pages = load_pages(self.ws, self.static_root)
        return self._pages

    @property
    def shell(self) -> Any:
        """Where behaviour modules go (agents/code/shell.py); RecipeError when there is none."""
        if self._shell is None:
            from agents.code.shell import find_shell

            self._shell = find_shell(self.ws, self.static_root)
        return self._shell

    @property
    def static_site(self) -> bool:
        return self.shell.kind == "static"

    @property
    def templates(self) -> list[Page]:
        """Every source document that renders markup: pages and templates (HTML, Jinja, EJS)."""
        if self._templates is None:
            from agents.code.shell import source_files

            paths = [f for f in source_files(self.ws) if f.lower().endswith(TEMPLATE_SUFFIXES)
                     and not any(p.lower() in TEST_FOLDERS for p in f.split("/")[:-1])]
            known = {p.path: p for p in self._pages or []}
            self._templates = [known.get(f) or self._page(f) for f in paths]
        return self._templates

    def _page(self, path: str) -> Page:
        file = read_source(self.ws, path)
        return Page(path, file.text, parse(file.text), file.encoding)

    def page(self, path: str) -> Page:
        """Any markup source (a component, say) as a page; write() puts it back in its own encoding."""
        page = self._page(path)
        self._encodings[path] = page.encoding
        return page

    def pick(self, options: list) -> object:
        return options[self.variant % len(options)]

    def write(self, path: str, content: str, description: str) -> None:
        """Write a file; a page read before is written back in its own encoding, byte for byte."""
        page = next((p for p in (self._pages or []) + (self._templates or []) if p.path == path), None)
        encoding = page.encoding if page else self._encodings.get(path)
        if encoding:
            write_bytes(self.ws, path, content.encode(encoding, errors="xmlcharrefreplace"), content)
        else:
            self.ws.write_file(path, content)
        self.changes.setdefault(path, []).append(description)

    def read(self, path: str) -> str:
        """A source file's text, decoded losslessly; write() puts it back in the same encoding."""
        file = read_source(self.ws, path)
        self._encodings[path] = file.encoding
        return file.text

    def asset(self, name: str) -> str:
        """Where a new file of ours goes: the site's static root, so pages can link to it."""
        return asset_path(self.static_root, name)

    def add_asset(self, name: str, content: str, description: str) -> str:
        path = self.asset(name)
        self.write(path, content, description)
        return path

    def link_assets(self, editor: Editor, page: Page, script: str | None, style: str | None) -> None:
        """Reference our script (deferred, end of body) and stylesheet (end of head) from a page."""
        if style:
            tag = f'<link rel="stylesheet" href="{relpath(style, page.path)}">\n'
            if not editor.before_end_of("head", tag, page.root):
                editor.insert(head_slot(page), tag)
        if script:
            tag = f'<script src="{relpath(script, page.path)}"></script>\n'
            if not editor.before_end_of("body", tag, page.root):
                editor.insert(len(page.source), tag)

    def code_changes(self) -> list[dict[str, str]]:
        return [{"file": f, "changes": "; ".join(d)} for f, d in sorted(self.changes.items())]


def head_slot(page: Page) -> int:
    """Where a stylesheet link goes in a page with no </head>: after <head>, else before <body>,
    else after <html> or the doctype; never before the doctype (that would switch to quirks mode)."""
    for tag in ("head", "html"):
        nodes = page.root.find_all(tag)
        if nodes:
            return nodes[0].start_end
    body = page.root.find_all("body")
    if body:
        return body[0].start
    doctype = re.match(r"\s*<!doctype[^>]*>\r?\n?", page.source, re.IGNORECASE)
    return doctype.end() if doctype else 0
