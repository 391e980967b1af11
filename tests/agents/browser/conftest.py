"""Loopback servers for the browser tests: the bundled example apps, a search variant, a messy site."""

from __future__ import annotations

import functools
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agents.code.recipe_agent import run_recipe_agent
from agents.schemas import SuggestionSpec

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(
    directory: Path, host: str = "127.0.0.1", handler: type = QuietHandler
) -> tuple[str, ThreadingHTTPServer]:
    server = ThreadingHTTPServer((host, 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://{host}:{server.server_address[1]}/", server


@pytest.fixture(scope="module")
def shop_url() -> Iterator[str]:
    url, server = serve(EXAMPLES / "shop")
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def signup_url() -> Iterator[str]:
    url, server = serve(EXAMPLES / "signup")
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def search_shop_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the shop whose first page has a search box that live-filters the whole catalog."""
    root = tmp_path_factory.mktemp("search-shop") / "shop"
    shutil.copytree(EXAMPLES / "shop", root)
    entries = []
    for page in sorted((root / "products").glob("*.html")):
        name = re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text()).group(1)
        entries.append(f'<li hidden><a href="products/{page.name}">{name}</a></li>')
    widget = (FIXTURES / "search_widget.html").read_text().replace("{{ENTRIES}}", "\n".join(entries))
    index = root / "index.html"
    index.write_text(index.read_text().replace("<main>", "<main>\n" + widget, 1))
    url, server = serve(root)
    yield url
    server.shutdown()


class FolderWorkspace:
    """The code agent's file API over a plain folder: enough to build a variant without a sandbox."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def list_files(self, path: str = ".") -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in (self.root / path).rglob("*") if p.is_file())

    def read_file(self, path: str) -> str:
        return (self.root / path).read_text(encoding="utf-8")

    def write_file(self, path: str, content: str) -> None:
        (self.root / path).parent.mkdir(parents=True, exist_ok=True)
        (self.root / path).write_text(content, encoding="utf-8")


def recipe_variant(app: Path, target: Path, *recipes: str) -> Path:
    """A copy of `app` with the offline code agent's recipes applied, as the pipeline builds a variant."""
    shutil.copytree(app, target)
    for recipe in recipes:
        result = run_recipe_agent(
            FolderWorkspace(target), SuggestionSpec(title=recipe, rationale="t", recipe=recipe)
        )
        assert result.status == "completed", result.error_message
    return target


@pytest.fixture(scope="module")
def search_recipe_shop_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, server = serve(recipe_variant(EXAMPLES / "shop", tmp_path_factory.mktemp("v") / "shop", "search"))
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def helped_signup_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sign-up with its password rule stated and field-by-field validation (two recipes)."""
    root = recipe_variant(
        EXAMPLES / "signup", tmp_path_factory.mktemp("v") / "signup", "password_hint", "inline_validation"
    )
    url, server = serve(root)
    yield url
    server.shutdown()
