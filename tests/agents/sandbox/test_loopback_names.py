"""An isolated sandbox still knows its own loopback by name: test runners and dev servers listen on
and call `localhost`, and without the network there is no DNS to ask."""

from __future__ import annotations

from pathlib import Path

from tests.agents.conftest import OpenSandbox
from tests.agents.sandbox.conftest import make_site

SERVE_AND_CALL = """
import socket, threading
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("localhost", 0)); server.listen(1)
port = server.getsockname()[1]
threading.Thread(target=lambda: server.accept()[0].sendall(b"hello"), daemon=True).start()
print(socket.create_connection(("localhost", port), 2).recv(5).decode())
"""


def test_localhost_resolves_and_answers_inside_an_isolated_sandbox(tmp_path: Path, open_box: OpenSandbox) -> None:
    with open_box(str(make_site(tmp_path / "s"))) as sb:
        lookup = "import socket; print(socket.gethostbyname('localhost'), socket.gethostbyname(socket.gethostname()))"
        names = sb.run(["python3", "-c", lookup])
        assert names.exit_code == 0 and names.stdout.split() == ["127.0.0.1", "127.0.1.1"], names
        served = sb.run(["python3", "-c", SERVE_AND_CALL])
        assert served.exit_code == 0 and served.stdout.strip() == "hello", served
        outside = sb.run(["python3", "-c", "import socket; socket.getaddrinfo('example.com', 80)"])
        assert outside.exit_code != 0  # only its own names: nothing else resolves
