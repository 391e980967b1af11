"""Long-running commands take their children down when stopped: `variantlab dashboard` and
`variantlab sandbox serve` on Ctrl-C, SIGTERM or SIGHUP (and the dashboard even on SIGKILL), so the
next start finds its port free. Each command runs as a real process; what it started is read from
/proc before the signal."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agents.sandbox.watchdog import descendants
from cli.children import end_processes, stopped_by_signals
from db.migrate import upgrade_to_head
from tests.pipelines.conftest import EXAMPLES

GONE_WITHIN_S = 10.0


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    for name, value in {"VARIANTLAB_DATABASE_URL": url, "VARIANTLAB_DATA_DIR": str(tmp_path / "data"),
                        "DAGSTER_HOME": str(tmp_path / "dagster")}.items():
        monkeypatch.setenv(name, value)
    upgrade_to_head(url)
    return dict(os.environ)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(condition, what: str, process: subprocess.Popen, out: Path, timeout_s: float = 180) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert process.poll() is None, f"exited before {what}: {out.read_text()}"
        assert time.monotonic() < deadline, f"no {what} after {timeout_s:.0f}s: {out.read_text()}"
        time.sleep(0.3)


def _assert_gone(children: set[int], ports: list[int], out: Path) -> None:
    """Every child ended and every port free within GONE_WITHIN_S of the signal."""
    deadline = time.monotonic() + GONE_WITHIN_S
    while any(_running(pid) for pid in children) or any(_listening(port) for port in ports):
        assert time.monotonic() < deadline, (
            f"still running {[pid for pid in children if _running(pid)]}, listening "
            f"{[port for port in ports if _listening(port)]}: {out.read_text()}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen, how: str) -> None:
    if how == "ctrl-c":  # the terminal sends SIGINT to the whole foreground process group
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(getattr(signal, how))


@pytest.mark.parametrize("how", ["SIGTERM", "ctrl-c", "SIGHUP", "SIGKILL"])
def test_dashboard_takes_streamlit_down(env: dict[str, str], tmp_path: Path, how: str):
    port, out = _free_port(), tmp_path / "dashboard.out"
    dashboard = subprocess.Popen([sys.executable, "-m", "cli.main", "dashboard", "--port", str(port)], env=env,
                                 stdout=out.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(lambda: _listening(port), f"dashboard on port {port}", dashboard, out)
        children = descendants({dashboard.pid}) - {dashboard.pid}
        assert children, "Streamlit runs as a child"
        _stop(dashboard, how)
        _assert_gone(children, [port], out)
        code = dashboard.wait(timeout=GONE_WITHIN_S)
    finally:
        if dashboard.poll() is None:
            os.killpg(dashboard.pid, signal.SIGKILL)
        end_processes(descendants({dashboard.pid}) - {dashboard.pid}, grace_s=0)
    assert code == (-signal.SIGKILL if how == "SIGKILL" else 0), out.read_text()
    assert "Traceback" not in out.read_text()


@pytest.mark.parametrize("how", ["SIGTERM", "ctrl-c"])
def test_sandbox_serve_destroys_its_sandbox(env: dict[str, str], tmp_path: Path, how: str):
    out = tmp_path / "serve.out"
    serve = subprocess.Popen([sys.executable, "-m", "cli.main", "sandbox", "serve", "--repo", str(EXAMPLES / "shop")],
                             env=env, stdout=out.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(lambda: "preview of " in out.read_text(), "preview URL", serve, out)
        url = out.read_text().split(" at ", 1)[1].split()[0]
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        assert _listening(port)
        children = descendants({serve.pid}) - {serve.pid}
        assert children, "the preview server runs below the command"
        _stop(serve, how)
        _assert_gone(children, [port], out)
        code = serve.wait(timeout=GONE_WITHIN_S)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
    assert code == 0, out.read_text()
    assert "stopping" in out.read_text() and "Traceback" not in out.read_text()
    assert list((tmp_path / "data" / "sandboxes").iterdir()) == []  # the sandbox was destroyed


def test_the_children_a_block_started_end_with_it_and_only_those():
    """In its own process group and ignoring SIGTERM, a child still ends (SIGKILL after the grace);
    a child started before the block is left alone."""
    ignores_term = [sys.executable, "-c", ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                                           "print('ready', flush=True); time.sleep(600)")]
    before = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    # Whatever handled SIGTERM before the block (an earlier test in the same process may have set one)
    # must handle it again after.
    previous = signal.getsignal(signal.SIGTERM)
    try:
        with stopped_by_signals():
            inside = subprocess.Popen(ignores_term, process_group=0, stdout=subprocess.PIPE, text=True)
            assert inside.stdout.readline() == "ready\n"  # type: ignore[union-attr]
            started = time.monotonic()
        assert inside.wait(timeout=30) == -signal.SIGKILL
        assert time.monotonic() - started < 30  # the 5 s grace, then SIGKILL; not forever
        assert before.poll() is None
        assert signal.getsignal(signal.SIGTERM) is previous  # the handlers are given back
    finally:
        before.kill()
        before.wait()
