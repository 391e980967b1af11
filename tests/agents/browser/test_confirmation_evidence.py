"""A visitor believes an add-to-cart when the page says so: a message naming the item (or saying it
went into the cart) counts as evidence, as a rising cart count does; silence does not."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agents.browser.panel import run_panel
from agents.schemas import FlowSpec, TaskSpec
from settings import Settings

pytestmark = pytest.mark.browser

_LIST = "<h1>Shop</h1><ul>{items}</ul>"
_ITEM = ("<h1>{name}</h1><p>$12.00</p><button id='add'>Add to cart</button><div id='msg'></div>"
         "<script>add.onclick = () => {{ {react} }};</script>")
REACTIONS = {
    "silent": "",
    "toast": "msg.setAttribute('role', 'status'); msg.textContent = '\\u2713 Added: ' + document.querySelector('h1').textContent;",
    "unrelated": "msg.setAttribute('role', 'status'); msg.textContent = 'Saved your preferences';",
}
NAMES = ["Blue Enamel Mug", "Walnut Board", "Linen Napkins"]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        _, mode, *rest = self.path.split("/")
        if rest and rest[0]:
            name = rest[0].replace("%20", " ")
            body = _ITEM.format(name=name, react=REACTIONS[mode])
        else:
            body = _LIST.format(items="".join(f"<li><a href='/{mode}/{n}'>{n}</a> <span>$12.00</span></li>"
                                              for n in NAMES))
        data = f"<!doctype html><html lang='en'><title>Shop</title><body>{body}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _find(name: str) -> FlowSpec:
    return FlowSpec(name=f"Find {name}", description="d", instructions="i",
                    task=TaskSpec(kind="find_item", params={"item_name": name, "add_to_cart": True}))


@pytest.mark.parametrize(("mode", "believed"), [("toast", True), ("silent", False), ("unrelated", False)])
def test_a_message_that_says_it_was_added_is_evidence(shop: str, tmp_path, mode: str, believed: bool, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    (result,) = run_panel({"v": f"{shop}/{mode}/"}, [_find("Walnut Board")], sessions_per_flow=1,
                          artifacts_dir=tmp_path, settings=settings)
    assert result.success is believed, result.summary
    if believed:
        assert "the page said: '\u2713 Added: Walnut Board'" in result.summary
