"""Untrusted code tries to get out, from commands and from the preview server; every try must fail."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.sandbox import isolation
from agents.sandbox.base import IsolationUnavailable, PathEscape
from agents.sandbox.factory import open_sandbox
from settings import SandboxSettings, Settings, get_settings
from tests.agents.conftest import OpenSandbox
from tests.agents.sandbox.conftest import make_site

SECRET_ENV = "VARIANTLAB_LLM__ANTHROPIC_API_KEY"
PROBE = r'''
import json, os, socket, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

def attempt(fn):
    try:
        return "ESCAPED: " + repr(fn())[:80]
    except Exception as exc:
        return "blocked: " + type(exc).__name__

def connect(port):
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        return "connected"

def read(path):
    with open(path) as handle:
        return handle.read()

def write(path):
    with open(path, "w") as handle:
        return handle.write("x")

class Probe(BaseHTTPRequestHandler):
    def do_GET(self):
        targets = json.load(open("targets.json"))
        report = {f"connect {p}": attempt(lambda p=p: connect(p)) for p in targets["ports"]}
        report.update({f"read {p}": attempt(lambda p=p: read(p)) for p in targets["files"]})
        report.update({f"write {p}": attempt(lambda p=p: write(p)) for p in targets["writes"]})
        report["env"] = "ESCAPED" if targets["env"] in os.environ else "blocked"
        body = json.dumps(report).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Probe).serve_forever()
'''


@pytest.fixture
def host_listener() -> Iterator[int]:
    """A service on the host's loopback: a successful connect from a sandbox would be an escape."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def serve() -> None:
        while True:
            try:
                server.accept()[0].close()
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def host_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    monkeypatch.setenv(SECRET_ENV, "sk-ant-host-secret")
    in_home = Path.home() / f".variantlab-test-secret-{uuid.uuid4().hex}"
    in_project = Path(__file__).resolve().parent / f".secret-{uuid.uuid4().hex}"
    for path in (in_home, in_project):
        path.write_text("host secret\n")
    yield [str(in_home), str(in_project), str(tmp_path / "data" / "variantlab.db")]
    in_home.unlink()
    in_project.unlink()


def _postgres_ports() -> list[int]:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return [5432]  # PostgreSQL answers the host: reaching it from a sandbox would be real
    except OSError:
        return []


def test_commands_cannot_reach_the_host_network(host_listener: int, tmp_path: Path,
                                                open_box: OpenSandbox) -> None:
    ports = [host_listener, *_postgres_ports()]
    with open_box(str(make_site(tmp_path / "s"))) as sb:
        for port in ports:
            result = sb.run(["python3", "-c", f"import socket; socket.create_connection(('127.0.0.1', {port}), 2)"])
            assert result.exit_code != 0 and "Error" in result.stderr, (port, result)
        dns = sb.run(["python3", "-c", "import socket; socket.getaddrinfo('example.com', 80)"])
        assert dns.exit_code != 0


def test_commands_cannot_read_host_secrets_or_env(host_secrets: list[str], tmp_path: Path,
                                                  open_box: OpenSandbox) -> None:
    with open_box(str(make_site(tmp_path / "s"))) as sb:
        for path in host_secrets:
            assert Path(path).exists() or path.endswith(".db")
            result = sb.run(["cat", path])
            assert result.exit_code != 0 and "host secret" not in result.stdout, path
        env = sb.run("env; cat /proc/1/environ /proc/self/environ")
        assert "sk-ant-host-secret" not in env.stdout and SECRET_ENV not in env.stdout
        assert sb.run(["ls", str(Path.home())]).exit_code != 0
        assert sb.run(["ls", "/work"]).exit_code != 0


def test_commands_cannot_write_outside_the_workdir(tmp_path: Path, open_box: OpenSandbox) -> None:
    marker = f"/tmp/variantlab-escape-{uuid.uuid4().hex}"
    with open_box(str(make_site(tmp_path / "a"))) as one, open_box(str(make_site(tmp_path / "b"))) as two:
        for target in ("/usr/escape", "/etc/escape", "/escape", marker):
            assert one.run(["touch", target]).exit_code != 0 or target == marker
        assert not os.path.exists(marker)  # /tmp inside is a private tmpfs
        assert one.run(["ls", str(two.workdir)]).exit_code != 0  # other sandboxes are invisible
        assert one.run(["python3", "-c", "open('/proc/sys/kernel/hostname','w').write('x')"]).exit_code != 0


def test_nested_user_namespaces_are_refused(tmp_path: Path, open_box: OpenSandbox) -> None:
    with open_box(str(make_site(tmp_path / "s"))) as sb:
        for cmd in ("unshare -Ur id", "unshare --user --fork true"):
            result = sb.run(cmd)
            assert result.exit_code != 0 and "Operation not permitted" in result.stderr, (cmd, result)
        # Threads and child processes (clone without CLONE_NEWUSER; clone3 falls back) still work.
        assert sb.run("python3 -c 'import threading; t = threading.Thread(target=print); t.start()' "
                      "&& node -e 'require(\"child_process\").execSync(\"true\")'").ok


def test_a_fork_bomb_is_stopped_and_the_host_is_fine(data_dir: Path, tmp_path: Path) -> None:
    configured = SandboxSettings(max_processes=64)
    with open_sandbox(str(make_site(tmp_path / "s")), sandbox=configured, data_dir=data_dir) as sb:
        result = sb.run("bomb() { bomb | bomb & }; bomb; sleep 2; echo survived-bomb", timeout_s=8)
        assert not result.timed_out or result.duration_ms < 20_000
        assert "fork" in result.stderr.lower() or result.timed_out  # the process limit bit
        assert "VARIANTLAB_SANDBOX__MAX_PROCESSES" in result.stderr or result.timed_out
        assert sb.run("echo alive").stdout.strip() == "alive"
    assert _processes_matching("bomb") == []


def test_a_command_that_never_ends_is_killed_with_its_whole_tree(tmp_path: Path,
                                                                 open_box: OpenSandbox) -> None:
    with open_box(str(make_site(tmp_path / "s"))) as sb:
        result = sb.run("sleep 4321 & (sleep 4322 &) ; sleep 4323", timeout_s=0.5)
        assert result.timed_out and result.exit_code == 124
        assert _processes_matching("sleep 432") == []


HOLD = "import time; b = bytearray({mb} * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); time.sleep({s})"


def test_the_memory_budget_holds_for_the_whole_sandbox(data_dir: Path, tmp_path: Path) -> None:
    configured = SandboxSettings(memory_limit_mb=300)
    with open_sandbox(str(make_site(tmp_path / "s")), sandbox=configured, data_dir=data_dir) as sb:
        alone = sb.run(["python3", "-c", HOLD.format(mb=600, s=5)], timeout_s=30)
        assert not alone.ok and not alone.timed_out and alone.duration_ms < 5000
        assert alone.stderr.strip().splitlines()[-1] == (
            "[killed: the sandbox's processes together used more than 300 MB of memory; "
            "raise VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB]")
        # Three processes of 150 MB each are each under the budget, not together.
        together = sb.run(" & ".join([f'python3 -c "{HOLD.format(mb=150, s=5)}"'] * 3) + "; wait",
                          timeout_s=30)
        assert "VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB" in together.stderr and together.duration_ms < 5000
        # A process that left its parent (double fork) is still the sandbox's.
        daemon = sb.run(f'(python3 -c "{HOLD.format(mb=600, s=5)}" &); sleep 5', timeout_s=30)
        assert "VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB" in daemon.stderr and daemon.duration_ms < 5000
        assert sb.run("echo alive").stdout == "alive\n"  # the sandbox goes on after a kill


def test_a_large_virtual_reservation_is_not_memory(tmp_path: Path, open_box: OpenSandbox) -> None:
    # What a Wasm toolchain under `vite build` does: reserve gigabytes, touch a few pages.
    reserve = ("import mmap; m = mmap.mmap(-1, 8 * 1024 ** 3, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS);"
               " m[:4096] = b'x' * 4096; m[-4096:] = b'y' * 4096; print('reserved')")
    with open_box(str(make_site(tmp_path / "s"))) as sb:
        result = sb.run(["python3", "-c", reserve])
        assert result.ok and result.stdout == "reserved\n", result.stderr


@pytest.mark.skipif(not os.path.exists("/usr/bin/node"), reason="node is not installed")
def test_node_wasm_memories_reserving_tens_of_gigabytes_run(tmp_path: Path, settings: Settings,
                                                            open_box: OpenSandbox) -> None:
    script = ("const ms = []; for (let i = 0; i < 4; i++) ms.push(new WebAssembly.Memory({initial: 1, "
              "maximum: 65536})); console.log(require('fs').readFileSync('/proc/self/status', 'utf8')"
              ".match(/VmSize:\\s+(\\d+)/)[1])")
    with open_box(str(make_site(tmp_path / "s"))) as sb:
        result = sb.run(["node", "-e", script])
        assert result.ok, result.stderr
        assert int(result.stdout) > 4 * settings.sandbox.memory_limit_mb * 1024  # kB of address space


@pytest.mark.parametrize("value", ["-5", "0"])
def test_a_memory_limit_that_removes_the_limit_is_refused(value: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB", value)
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="(?s)memory_limit_mb.*greater than 0"):
        get_settings()


def test_a_cpu_hog_is_stopped_with_the_setting_named(data_dir: Path, tmp_path: Path) -> None:
    configured = SandboxSettings(cpu_time_limit_s=1)
    with open_sandbox(str(make_site(tmp_path / "s")), sandbox=configured, data_dir=data_dir) as sb:
        result = sb.run(["python3", "-c", "while True: pass"], timeout_s=30)
        assert not result.ok and "VARIANTLAB_SANDBOX__CPU_TIME_LIMIT_S" in result.stderr


def test_a_wall_clock_timeout_names_its_setting(tmp_path: Path, open_box: OpenSandbox) -> None:
    with open_box(str(make_site(tmp_path / "s"))) as sb:
        result = sb.run("sleep 5", timeout_s=0.2)
        assert result.timed_out and "VARIANTLAB_SANDBOX__COMMAND_TIMEOUT_S" in result.stderr


def test_file_api_rejects_traversal_and_escaping_symlinks(tmp_path: Path, open_box: OpenSandbox) -> None:
    with open_box(str(make_site(tmp_path / "s"))) as sb:
        assert sb.run("ln -s /etc/passwd leak && ln -s / rootlink && ln -s index.html alias").ok
        for bad in ("../x", "/etc/passwd", "a/../../x", "leak", "rootlink/etc/passwd"):
            with pytest.raises(PathEscape):
                sb.read_file(bad)
        for bad in ("../escape.txt", "/tmp/escape.txt", "leak", "rootlink/tmp/escape.txt"):
            with pytest.raises(PathEscape):
                sb.write_file(bad, "x")
        with pytest.raises(PathEscape):
            sb.list_files("rootlink")
        assert "<h1>fixture</h1>" in sb.read_file("alias")  # a symlink that stays inside is fine
        assert not Path("/tmp/escape.txt").exists()


def test_the_preview_server_cannot_escape_either(tmp_path: Path, host_listener: int,
                                                 host_secrets: list[str], open_box: OpenSandbox) -> None:
    site = make_site(tmp_path / "probe")
    (site / "probe.py").write_text(PROBE)
    (site / "variantlab.toml").write_text('start = "python3 probe.py"\nport = 8123\n')
    outside = f"/tmp/variantlab-escape-{uuid.uuid4().hex}"
    targets = {"ports": [host_listener, *_postgres_ports()], "files": host_secrets,
               "writes": [outside, "/usr/escape"], "env": SECRET_ENV}
    (site / "targets.json").write_text(json.dumps(targets))
    with open_box(str(site)) as sb, urllib.request.urlopen(sb.start_preview(), timeout=20) as response:
        report = json.loads(response.read())
    assert len(report) == len(targets["ports"]) + len(host_secrets) + 2 + 1
    # /tmp inside is the sandbox's own tmpfs: writing there is allowed, reaching the host's is not.
    private = report.pop(f"write {outside}")
    assert all(outcome.startswith("blocked") for outcome in report.values()), report
    assert private.startswith("ESCAPED") and not os.path.exists(outside)


def test_refuses_to_run_unisolated_unless_allowed(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture,
                                                  open_box: OpenSandbox) -> None:
    monkeypatch.setattr(isolation, "bwrap_problem", lambda: "simulated: no user namespaces")
    site = str(make_site(tmp_path / "s"))
    with pytest.raises(IsolationUnavailable, match="simulated: no user namespaces.*ALLOW_UNISOLATED"):
        open_box(site)
    configured = SandboxSettings(allow_unisolated=True)
    with caplog.at_level(logging.WARNING), open_sandbox(site, sandbox=configured, data_dir=data_dir) as sb:
        assert sb.run("echo one").stdout == "one\n"
        assert sb.run("echo two").ok
        with urllib.request.urlopen(sb.start_preview(), timeout=10) as response:
            assert b"<h1>fixture</h1>" in response.read()
    warnings = [r for r in caplog.records if "UNISOLATED" in r.getMessage()]
    assert len(warnings) >= 4  # the sandbox, each command and the preview say so


def _processes_matching(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                found.append(int(entry.name))
        except OSError:
            continue
    return found
