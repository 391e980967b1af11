"""A loopback server speaking the GitHub REST endpoints `variantlab ship` uses, with faults on demand.

GET /repos/{owner}/{repo} (permissions), GET|POST /repos/{owner}/{repo}/pulls (list by head, create:
422 when one is already open for the head), PATCH /repos/{owner}/{repo}/pulls/{number}. Faults
answer a matching request with a given status, headers and body, a given number of times; the
faults GitHub documents are 401 Bad credentials, 403 with X-RateLimit-Remaining 0 and
X-RateLimit-Reset, and 422 Validation Failed.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    method: str
    path: str  # a regular expression matched against the whole path
    status: int
    body: dict[str, Any] | list[Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeGitHub:
    owner: str = "acme"
    repo: str = "signup"
    can_push: bool = True
    pulls: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def calls(self, method: str, suffix: str = "") -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path.endswith(suffix)]

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any] | None
               ) -> tuple[int, dict[str, Any] | list[Any], dict[str, str]]:
        for fault in self.faults:
            if fault.method == method and re.fullmatch(fault.path, path) and fault.times > 0:
                fault.times -= 1
                return fault.status, fault.body, fault.headers
        base = f"/repos/{self.owner}/{self.repo}"
        if method == "GET" and path == base:
            return 200, {"id": 1, "full_name": f"{self.owner}/{self.repo}", "default_branch": "main",
                         "permissions": {"admin": False, "push": self.can_push, "pull": True}}, {}
        if path == f"{base}/pulls" and method == "GET":
            head = query.get("head", [""])[0].split(":", 1)[-1]
            state = query.get("state", ["open"])[0]
            return 200, [p for p in self.pulls if (not head or p["head"]["ref"] == head)
                         and (state == "all" or p["state"] == state)], {}
        if path == f"{base}/pulls" and method == "POST":
            assert body is not None
            if any(p["head"]["ref"] == body["head"] and p["state"] == "open" for p in self.pulls):
                return 422, {"message": "Validation Failed", "errors": [{
                    "resource": "PullRequest", "code": "custom",
                    "message": f"A pull request already exists for {self.owner}:{body['head']}."}],
                    "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
                    "status": "422"}, {}
            number = len(self.pulls) + 1
            pull = {"number": number, "state": "open", "title": body["title"], "body": body.get("body"),
                    "html_url": f"https://github.com/{self.owner}/{self.repo}/pull/{number}",
                    "head": {"ref": body["head"]}, "base": {"ref": body["base"]}}
            self.pulls.append(pull)
            return 201, pull, {}
        match = re.fullmatch(rf"{base}/pulls/(\d+)", path)
        if match and method == "PATCH":
            pull = next(p for p in self.pulls if p["number"] == int(match[1]))
            pull.update({k: v for k, v in (body or {}).items() if k in ("title", "body", "state")})
            return 200, pull, {}
        return 404, {"message": "Not Found", "status": "404"}, {}


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            query = parse_qs(parts.query)
            fake.seen.append(Seen(self.command, parts.path, query, {k.lower(): v for k, v in self.headers.items()},
                                  body))
            status, data, headers = fake.answer(self.command, parts.path, query, body)
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler


@contextmanager
def serve(fake: FakeGitHub) -> Iterator[FakeGitHub]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
