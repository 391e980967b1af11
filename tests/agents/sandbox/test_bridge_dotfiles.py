"""The preview's static mode serves the site's files and never a dotfile (.git/, .env, ...)."""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.sandbox import bridge


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n")
    (tmp_path / ".env").write_text("SECRET=1\n")
    (tmp_path / "assets" / ".cache").mkdir(parents=True)
    (tmp_path / "assets" / ".cache" / "x.js").write_text("x")
    (tmp_path / "assets" / "app.js").write_text("ok")
    (tmp_path / "index.html").write_text("<h1>site</h1>")
    handler = functools.partial(bridge._Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _status(url: str, method: str = "GET") -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("path", ["/", "/index.html", "/assets/app.js", "/index.html?x=.y"])
def test_site_files_are_served(site: str, path: str) -> None:
    assert _status(site + path) == 200


@pytest.mark.parametrize("path", ["/.git/config", "/.git/", "/.env", "/assets/.cache/x.js", "/%2Egit/config",
                                  "/assets/%2eenv"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_dotfiles_are_not_found(site: str, path: str, method: str) -> None:
    assert _status(site + path, method) == 404
