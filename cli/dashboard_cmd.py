"""`variantlab dashboard`: Streamlit on 127.0.0.1, headless, no usage statistics."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from cli.children import Stopped, end_processes, stopped_by_signals
from cli.errors import UserError
from db.migrate import ensure_schema

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
_PR_SET_PDEATHSIG = 1


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
    ]


def serve_dashboard(port: int) -> int:
    """Run the dashboard until interrupted (Ctrl-C, SIGTERM, SIGHUP: then 0, with Streamlit stopped
    and the port free); otherwise Streamlit's exit code."""
    if not 1 <= port <= 65535:
        raise UserError(f"--port must be between 1 and 65535, got {port}")
    # Migrate before the server starts, so a failure is one clear line here and not a page error.
    url = ensure_schema()
    print(f"dashboard on http://127.0.0.1:{port}  (database: {url.split('@')[-1]})", flush=True)
    with stopped_by_signals():
        # Its own process group, so a signal is ours to pass on and none of its processes stays behind.
        # preexec_fn is unsafe only with other threads, and this process has started none.
        streamlit = subprocess.Popen(streamlit_command(port), process_group=0,
                                     preexec_fn=_die_with_parent())  # noqa: PLW1509
        try:
            return streamlit.wait()
        except Stopped:
            end_processes({streamlit.pid})  # SIGTERM: Streamlit shuts down cleanly; SIGKILL if it does not
            streamlit.wait()
            return 0


def _die_with_parent() -> Callable[[], None] | None:
    """In the child before exec: SIGTERM it when we die, even by SIGKILL, which no handler of ours
    sees (else Streamlit would keep the port and the next start finds it taken). Linux only."""
    if not sys.platform.startswith("linux"):
        return None
    prctl, parent = ctypes.CDLL(None, use_errno=True).prctl, os.getpid()  # looked up before the fork

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # we died between the fork and the prctl
            os._exit(1)

    return preexec
