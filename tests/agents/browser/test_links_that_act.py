"""Links that act on a GET (delete a record, log out) are never requested by the scout, the panel's
explorers or its link check: a trial on an unseen Django to-do app had its records deleted by the link
check's HEAD requests to `/todos/N/delete`, so every session measured an empty list."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from agents.browser.page_view import changes_state
from agents.browser.panel import run_panel
from agents.browser.scout import scout
from agents.schemas import FlowSpec, TaskSpec
from settings import Settings


class _Todos(BaseHTTPRequestHandler):
    records: ClassVar[list[str]] = []
    requested: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        type(self).requested.append(f"{self.command} {self.path}")
        if self.path.rstrip("/").endswith(("/delete", "logout")) or "remove_" in self.path:
            type(self).records.clear()  # the app acts on the GET (and HEAD) itself
            self.send_response(302)
            self.send_header("Location", "/")
            self.end_headers()
            return
        rows = "".join(
            f'<li>{r} <a href="/todos/{i}/delete" title="Delete">x</a> <a href="/t/remove_{i}">&#128465;</a></li>'
            for i, r in enumerate(self.records))
        body = (f'<html lang="en"><body><main><h1>Todos</h1><a href="/about">About</a> <a href="/logout">Bye</a>'
                f"<ul>{rows}</ul></main></body></html>").encode()
        if self.command == "GET":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(200)
            self.end_headers()


def test_changes_state_reads_the_path_and_the_words() -> None:
    assert changes_state("http://h/todos/3/delete")
    assert changes_state("http://h/delete_todo/3") and changes_state("http://h/item?action=remove")
    assert changes_state("http://h/accounts/log-out/") and changes_state("http://h/x", "Sign out")
    assert not changes_state("http://h/deleted-scenes") and not changes_state("http://h/todos/3/update")
    assert not changes_state("http://h/products/remover-tool")


def test_no_visitor_requests_a_link_that_acts(tmp_path: Path, settings: Settings) -> None:
    _Todos.records[:] = ["Do laundry", "Buy milk", "Call mum"]
    _Todos.requested.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Todos)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        scout(url, browser=settings.browser)
        explore = FlowSpec(name="look around", description="", instructions="Look around.", order=1,
                           task=TaskSpec(kind="explore", params={"max_pages": 3}))
        run_panel({"control": url}, [explore], sessions_per_flow=2, artifacts_dir=tmp_path, settings=settings)
    finally:
        server.shutdown()
    acted = [r for r in _Todos.requested if "delete" in r or "logout" in r or "remove_" in r]
    assert acted == [] and len(_Todos.records) == 3
    assert any(r.startswith(("GET /about", "HEAD /about")) for r in _Todos.requested)
