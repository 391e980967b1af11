"""What every recipe works with: the workspace, the chosen markup variant, and a change log."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.code.markup import Editor
from agents.code.site import Page, Workspace, asset_path, load_pages, relpath


class RecipeError(Exception):
    """The recipe cannot implement the change on this site; the message says why."""


@dataclass
class RecipeContext:
    ws: Workspace
    static_root: str = "."
    variant: int = 0  # which of a recipe's equivalent markup variants to use (seeded by temperature)
    refined: bool = False  # feedback_refined: add accessibility refinements on top
    changes: dict[str, list[str]] = field(default_factory=dict)
    _pages: list[Page] | None = None

    @property
    def pages(self) -> list[Page]:
        if self._pages is None:
            self._pages = load_pages(self.ws, self.static_root)
        return self._pages

    def pick(self, options: list) -> object:
        return options[self.variant % len(options)]

    def write(self, path: str, content: str, description: str) -> None:
        self.ws.write_file(path, content)
        self.changes.setdefault(path, []).append(description)

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
                editor.insert(0, tag)
        if script:
            tag = f'<script src="{relpath(script, page.path)}"></script>\n'
            if not editor.before_end_of("body", tag, page.root):
                editor.insert(len(page.source), tag)

    def code_changes(self) -> list[dict[str, str]]:
        return [{"file": f, "changes": "; ".join(d)} for f, d in sorted(self.changes.items())]
