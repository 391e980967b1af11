"""Waiting for a sandbox's preview to answer, and the one line that says why it did not."""

from __future__ import annotations

import http.client
import subprocess
import time
from pathlib import Path

from agents.sandbox.base import AppConfig, BringupFailed
from agents.sandbox.excerpt import cause_excerpt
from agents.sandbox.watchdog import MemoryBudget

# A server that logged for a long time before failing: its cause is near the end.
LOG_READ_BYTES = 64 * 1024


def wait_ready(proc: subprocess.Popen, port: int, *, app: AppConfig, timeout_s: float, log_path: Path,
               budget: MemoryBudget) -> None:
    """Return once GET / on the host port answers; BringupFailed naming the cause otherwise (the same
    commit starts the same way next time, so the stage is not retried)."""
    keys = "`start` and `port`" if app.start else "`static_root`"
    deadline = time.monotonic() + timeout_s
    delay = 0.002
    while True:
        if proc.poll() is not None:
            if budget.untrack(proc.pid):
                raise BringupFailed(f"start failed: {budget.message()}")
            raise BringupFailed(f"start failed: the app exited before answering: {log_excerpt(log_path)} "
                                 f"— set {keys} in variantlab.toml")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            where = f"on port {app.port}" if app.start else f"from {app.static_root}"
            raise BringupFailed(
                f"start failed: nothing answered {where} within {timeout_s:g}s: {log_excerpt(log_path)} "
                f"— set {keys} in variantlab.toml, or raise VARIANTLAB_SANDBOX__PREVIEW_READY_TIMEOUT_S")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=min(remaining, 1.0))
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return
        except (OSError, http.client.HTTPException):
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        finally:
            conn.close()


def log_excerpt(path: Path) -> str:
    """The lines of the preview's log that carry the cause, as one line (see excerpt.py)."""
    try:
        with path.open("rb") as log:
            log.seek(max(0, log.seek(0, 2) - LOG_READ_BYTES))
            text = log.read().decode(errors="replace")
    except OSError:
        return "no output"
    return cause_excerpt(text)
