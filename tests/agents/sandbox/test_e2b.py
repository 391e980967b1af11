"""The E2B provider at the SDK boundary: the real `e2b` SDK talks to a loopback server that speaks
enough of E2B's control-plane API (POST/DELETE /sandboxes) and of envd's file API (upload, download) to
exercise creation, auth and rate-limit errors, cleanup on a failed setup, kill on destroy, and files
that cross the SDK byte for byte.

NOT exercised here (no E2B reachable): command execution over envd's Connect RPC, previews through
E2B's proxy, set_timeout against a live VM. Command-exit handling is checked by feeding the SDK's
own CommandExitException / TimeoutException through our mapping.
"""

from __future__ import annotations

import email.policy
import json
import posixpath
import threading
from collections.abc import Iterator
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import e2b
import httpx
import pytest
from pydantic import SecretStr

from agents.sandbox.base import (
    AppConfig,
    BringupFailed,
    CommandResult,
    PathEscape,
    SandboxAuthError,
    SandboxError,
    SandboxNotFound,
    SandboxRateLimited,
    SandboxTimeout,
)
from agents.sandbox.e2b_sandbox import E2BSandbox, provider_errors
from settings import SandboxSettings
from tests.agents.sandbox.conftest import make_site

KEY = "e2b_" + "0" * 40


class FakeE2B(BaseHTTPRequestHandler):
    create_status = 201
    calls: ClassVar[list[tuple[str, str, dict]]] = []
    # envd's file API over a dict of path -> bytes; None: every upload fails (a VM whose disk is full).
    files: ClassVar[dict[str, bytes] | None] = None

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, body: dict | None = None) -> None:
        data = json.dumps(body or {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 429:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        creating = self.path in ("/sandboxes", "/v2/sandboxes")
        body = json.loads(raw) if creating and raw else {}
        type(self).calls.append(("POST", self.path, {"body": body, "key": self.headers.get("X-API-Key")}))
        if creating:
            status = type(self).create_status
            if status != 201:
                return self._reply(status, {"code": status, "message": "nope"})
            return self._reply(201, {"templateID": "base", "sandboxID": "sbx-loop", "clientID": "c",
                                     "envdVersion": "0.2.0", "envdAccessToken": "envd-token",
                                     "trafficAccessToken": "traffic-token", "domain": None})
        if type(self).files is None:
            return self._reply(500, {"code": 500, "message": "disk on fire"})  # envd file upload fails
        # envd's upload: multipart/form-data, one "file" part per file, the target path in ?path=.
        path = parse_qs(urlsplit(self.path).query)["path"][0]
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
        part = next(p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "file")
        type(self).files[path] = part.get_payload(decode=True)
        self._reply(200, [{"name": posixpath.basename(path), "type": "file", "path": path}])

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        data = (type(self).files or {}).get(parse_qs(url.query).get("path", [""])[0]) if url.path == "/files" else None
        if data is None:
            return self._reply(404, {"code": 404, "message": "no such file"})
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_DELETE(self) -> None:
        type(self).calls.append(("DELETE", self.path, {}))
        self._reply(204)


@pytest.fixture
def fake_e2b(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeE2B]]:
    FakeE2B.calls = []
    FakeE2B.create_status = 201
    FakeE2B.files = None
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeE2B)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("E2B_API_URL", url)  # read by the SDK itself (its debug/self-hosted hooks)
    monkeypatch.setenv("E2B_SANDBOX_URL", url)
    yield FakeE2B
    server.shutdown()


def _e2b(**fields: object) -> SandboxSettings:
    """The sandbox settings a caller hands in to choose E2B (with a key)."""
    return SandboxSettings(provider="e2b", e2b_api_key=SecretStr(KEY), **fields)


def test_missing_key_is_a_clear_auth_error(fake_e2b: type[FakeE2B], tmp_path) -> None:
    with pytest.raises(SandboxAuthError, match="E2B_API_KEY"):
        E2BSandbox(str(make_site(tmp_path / "s")), sandbox=SandboxSettings(provider="e2b"),
                   data_dir=tmp_path / "data")
    assert fake_e2b.calls == []


@pytest.mark.parametrize("status, error, message", [
    (401, SandboxAuthError, "rejected the API key"),
    (429, SandboxRateLimited, "rate limiting"),
])
def test_creation_errors_are_mapped(fake_e2b: type[FakeE2B], tmp_path, status: int, error: type,
                                    message: str) -> None:
    fake_e2b.create_status = status
    with pytest.raises(error, match=message) as caught:
        E2BSandbox(str(make_site(tmp_path / "s")), sandbox=_e2b(), data_dir=tmp_path / "data")
    assert "0" * 40 not in str(caught.value)  # the key is never in a message
    assert fake_e2b.calls[0][2]["key"] == KEY


def test_creation_request_and_cleanup_after_a_failed_setup(fake_e2b: type[FakeE2B], tmp_path) -> None:
    from agents.sandbox.factory import open_sandbox

    with pytest.raises(SandboxError, match="upload the repo"):
        open_sandbox(str(make_site(tmp_path / "s")), sandbox=_e2b(), data_dir=tmp_path / "data")
    created = fake_e2b.calls[0][2]["body"]
    assert created["timeout"] == _e2b().e2b_lifetime_s  # beyond E2B's 300 s default
    assert created["allow_internet_access"] is True  # installs reach the registries by default
    assert created["network"]["allowPublicTraffic"] is False  # previews need the traffic token
    assert ("DELETE", "/sandboxes/sbx-loop", {}) in fake_e2b.calls  # killed, not leaked


def test_install_network_off_creates_a_vm_without_internet(fake_e2b: type[FakeE2B], tmp_path) -> None:
    with pytest.raises(SandboxError, match="upload the repo"):
        E2BSandbox(str(make_site(tmp_path / "s")), sandbox=_e2b(install_network=False),
                   data_dir=tmp_path / "data")
    assert fake_e2b.calls[0][2]["body"]["allow_internet_access"] is False


def test_a_failing_build_step_is_one_line_naming_its_key() -> None:
    class Commands:
        def __init__(self) -> None:
            self.envs: list[dict] = []

        def run(self, cmd: str, **kwargs: object) -> None:
            self.envs.append(kwargs["envs"])  # type: ignore[arg-type]
            raise e2b.CommandExitException(stdout="", stderr="vite v5\nerror: boom\n", exit_code=1,
                                           error=None)

    sandbox = object.__new__(E2BSandbox)
    sandbox._cfg = _e2b()
    sandbox._destroyed = False
    sandbox._extended_at = float("inf")
    sandbox.app = AppConfig(kind="node", build="npm run build", env=(("NODE_ENV", "production"),))
    sandbox._sbx = type("Sbx", (), {"commands": Commands()})()
    with pytest.raises(BringupFailed) as caught:  # the same build fails the same way: not retried
        sandbox._step("build", "npm run build", "build")
    # The line naming the error, not the banner above it.
    assert str(caught.value) == "build failed (exit 1): error: boom — set `build` in variantlab.toml"
    assert sandbox._sbx.commands.envs == [{"NODE_ENV": "production"}]


def test_sdk_faults_map_to_sandbox_errors() -> None:
    cases = [(e2b.AuthenticationException("bad key"), SandboxAuthError),
             (e2b.RateLimitException("slow down"), SandboxRateLimited),
             (e2b.SandboxNotFoundException("gone"), SandboxNotFound),
             (e2b.TimeoutException("late"), SandboxTimeout),
             (e2b.SandboxException("boom"), SandboxError)]
    for fault, expected in cases:
        with pytest.raises(expected), provider_errors("do a thing"):
            raise fault


def test_non_zero_exit_and_timeouts_are_results() -> None:
    class Commands:
        def __init__(self, fault: Exception) -> None:
            self.fault = fault
            self.kwargs: dict = {}

        def run(self, cmd: str, **kwargs: object) -> None:
            self.kwargs = kwargs
            raise self.fault

    sandbox = object.__new__(E2BSandbox)  # the SDK object is replaced by one that raises its faults
    sandbox._cfg = _e2b()
    sandbox._destroyed = False
    sandbox._extended_at = float("inf")
    sandbox.app = AppConfig(kind="static")
    exit_fault = e2b.CommandExitException(stdout="partial", stderr="failed", exit_code=3, error=None)
    sandbox._sbx = type("Sbx", (), {"commands": Commands(exit_fault)})()
    result = sandbox.run(["false"], timeout_s=5)
    assert (result.exit_code, result.stdout, result.stderr, result.timed_out) == (3, "partial", "failed", False)
    assert sandbox._sbx.commands.kwargs["timeout"] == 5  # never the SDK's 60 s default
    sandbox._sbx = type("Sbx", (), {"commands": Commands(e2b.TimeoutException("deadline"))})()
    assert sandbox.run("sleep 99", timeout_s=1).timed_out


def test_the_plan_is_read_on_the_host_from_the_commit_and_patch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from agents.sandbox.e2b_sandbox import plan_of
    from agents.sandbox.repos import resolve
    from tests.agents.sandbox.conftest import git_init

    site = make_site(tmp_path / "s")
    git_init(site)
    source = resolve(str(site), None, tmp_path / "repos")
    patch = ('--- a/variantlab.toml\n+++ b/variantlab.toml\n@@ -1 +1,2 @@\n'
             ' test = "python3 -m unittest discover -s tests -q"\n+build = "make site"\n')
    assert plan_of(source.git_dir, source.commit, None).build is None
    plan = plan_of(source.git_dir, source.commit, patch)
    assert plan.build == "make site" and plan.test == "python3 -m unittest discover -s tests -q"


# A CRLF page in latin-1: its text decodes to U+FFFD through a UTF-8 text API, and a newline-translating
# one would turn every line of it into a diff line.
LATIN1_CRLF = "<!doctype html>\r\n<title>Caf\u00e9</title>\r\n<h1>Cr\u00e8me br\u00fbl\u00e9e</h1>\r\n".encode("latin-1")


def test_bytes_cross_the_sdk_unchanged(fake_e2b: type[FakeE2B]) -> None:
    fake_e2b.files = {}
    sandbox = object.__new__(E2BSandbox)  # the VM's shell (Connect RPC) is not served: realpath is done here
    sandbox._cfg = _e2b()
    sandbox._destroyed = False
    sandbox._extended_at = float("inf")
    sandbox._sbx = e2b.Sandbox.create(api_key=KEY)
    sandbox._run_shell = lambda cmd, **kw: CommandResult(  # type: ignore[method-assign]
        0, posixpath.normpath(cmd.split(" -- ")[1].strip("'")) + "\n", "", 1.0)
    sandbox.write_bytes("public/index.html", LATIN1_CRLF)
    assert fake_e2b.files == {"/home/user/app/public/index.html": LATIN1_CRLF}  # what reached envd
    assert sandbox.read_bytes("public/index.html") == LATIN1_CRLF
    assert "\ufffd" in sandbox.read_file("public/index.html")  # the text API could not have kept it
    with pytest.raises(PathEscape):
        sandbox.write_bytes("../outside.html", b"x")


def test_a_preview_that_never_answers_is_a_bring_up_failure_naming_its_cause(monkeypatch) -> None:
    class Commands:
        def run(self, cmd: str, **kwargs) -> None:  # the app starts, prints its error, never listens
            kwargs["on_stdout"]("> shop@1.0.0 start\n")
            kwargs["on_stderr"]("Error: Cannot find module 'express'\n    at Module._resolve\n")

    class Sbx:
        commands = Commands()

        def get_host(self, port: int) -> str:
            return f"{port}-sbx.invalid"

    def refused(*args, **kwargs):
        raise httpx.ConnectError("refused")

    sandbox = object.__new__(E2BSandbox)
    sandbox._cfg = _e2b(preview_ready_timeout_s=0.3)
    sandbox._destroyed = False
    sandbox._extended_at = float("inf")
    sandbox._url = None
    sandbox.app = AppConfig(kind="node", start="npm start", port=3000)
    sandbox._sbx = Sbx()
    monkeypatch.setattr("agents.sandbox.e2b_sandbox.httpx.get", refused)
    with pytest.raises(BringupFailed) as caught:  # not retried: the same commit starts the same way
        sandbox.start_preview()
    message = str(caught.value)
    assert message.startswith("start failed: nothing answered on port 3000 in E2B within 0.3s: ")
    assert "Error: Cannot find module 'express'" in message
    assert message.endswith("— set `start` and `port` in variantlab.toml")
