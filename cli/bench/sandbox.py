"""Sandbox figures: create-to-preview-ready for the bundled shop, per-command overhead, peak RSS."""

from __future__ import annotations

import resource
import statistics
import subprocess
import tempfile
import time
from functools import partial
from pathlib import Path

from agents.sandbox.factory import open_sandbox
from settings import get_settings

_SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


def _app_dir(scratch: Path) -> Path:
    if (_SHOP / "index.html").is_file():
        return _SHOP
    site = scratch / "site"  # the shop is not there yet: a tiny static site stands in
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>bench</title><h1>bench</h1>\n")
    return site


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(quick: bool = False) -> dict:
    rounds, commands = (3, 5) if quick else (20, 30)
    with tempfile.TemporaryDirectory(prefix="vl-bench-") as tmp:
        app = _app_dir(Path(tmp))
        settings = get_settings()
        open_here = partial(open_sandbox, sandbox=settings.sandbox, data_dir=settings.resolved_data_dir)
        with open_here(str(app)):  # warm the repo cache: later rounds measure the steady state
            pass
        ready_ms: list[float] = []
        overhead_ms: list[float] = []
        for _ in range(rounds):
            start = time.perf_counter()
            with open_here(str(app)) as sandbox:
                sandbox.start_preview()
                ready_ms.append((time.perf_counter() - start) * 1000)
        with open_here(str(app)) as sandbox:
            for _ in range(commands):
                start = time.perf_counter()
                sandbox.run(["true"])
                inside = time.perf_counter() - start
                start = time.perf_counter()
                subprocess.run(["true"], check=True)
                bare = time.perf_counter() - start
                overhead_ms.append((inside - bare) * 1000)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "app": app.name,
        "provider": get_settings().sandbox.provider,
        "rounds": rounds,
        "create_to_ready_ms_median": round(statistics.median(ready_ms), 1),
        "create_to_ready_ms_p95": round(_percentile(ready_ms, 0.95), 1),
        "command_overhead_ms_median": round(statistics.median(overhead_ms), 2),
        "peak_rss_mb_self": round(own / 1024, 1),
        "peak_rss_mb_children": round(children / 1024, 1),
        "targets": {"create_to_ready_ms_median": 300, "command_overhead_ms_median": 20},
    }
