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
