"""Runs INSIDE the sandbox (stdlib only, no project imports): serve the preview on a listening
socket the host created and passed in as fd 3.

The sandbox has no network of its own; the inherited socket lives in the host's network namespace,
so it can accept the host browser's connections but cannot be used to reach anything. Static sites
are served from here directly; an app with a start command is proxied to its port on the sandbox's
own loopback.
"""

import functools
import http.server
import os
import select
import socket
import socketserver
import subprocess
import sys
import threading
import urllib.parse

LISTEN_FD = 3


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        # Never serve .git/, .env or any other dotfile: they are not the site, and a browsing
        # user (or agent) must not find the repo's history or secrets behind the preview.
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if any(part.startswith(".") for part in path.split("/")):
            self.send_error(404, "File not found")
            return None
        return super().send_head()


def _server(handler: type) -> socketserver.ThreadingTCPServer:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler, bind_and_activate=False)
    server.socket.close()
    server.socket = socket.socket(fileno=LISTEN_FD)
    server.daemon_threads = True
    return server


def _pump(client: socket.socket, upstream: socket.socket) -> None:
    peers = {client: upstream, upstream: client}
    try:
        while True:
            readable, _, _ = select.select(list(peers), [], [], 300)
            if not readable:
                return
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                peers[sock].sendall(data)
    except OSError:
        return
    finally:
        client.close()
        upstream.close()


def proxy(port: int, start: str) -> int:
    app = subprocess.Popen(["/bin/sh", "-c", start], env={**os.environ, "PORT": str(port)})
    listener = socket.socket(fileno=LISTEN_FD)

    def accept_loop() -> None:
        while True:
            client, _ = listener.accept()
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=5)
                upstream.settimeout(None)
            except OSError:  # not listening yet: the host's readiness poll retries
                client.close()
                continue
            threading.Thread(target=_pump, args=(client, upstream), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    return app.wait()


def main(argv: list[str]) -> int:
    mode = argv[1]
    if mode == "static":
        handler = functools.partial(_Quiet, directory=argv[2])
        _server(handler).serve_forever()  # type: ignore[arg-type]
        return 0
    return proxy(int(argv[2]), argv[3])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
