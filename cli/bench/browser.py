"""Browser panel throughput and memory: the bundled shop served locally, one Chromium, concurrency 4.

Targets: >= 2 sessions/s sustained at concurrency 4; peak memory (Chromium PSS + agent RSS) < 1.5 GB.
"""

from __future__ import annotations

import functools
import http.server
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Self

import psutil

from agents.browser.panel import run_panel
from agents.schemas import FlowSpec, TaskSpec

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"
CONCURRENCY = 4
# A first-page item, deeper ones, one that does not exist (gives up) and a short exploration.
_ITEMS = ("Rosehip Facial Oil", "Merino Wool Beanie", "Trail Running Shoes", "Golden Unicorn Lamp")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class _Sampler:
    """Peak memory of this process and of its Chromium children (RSS sum and PSS sum), plus their CPU time.

    RSS summed over Chromium's processes counts shared pages (libraries, the zygote's memory) once per
    process, so it overstates what the browser holds; PSS splits shared pages among their sharers and
    is the figure the memory target is judged on. Both are reported.
    """

    def __init__(self) -> None:
        self.agent_peak = self.browser_rss_peak = self.browser_pss_peak = self.processes_peak = 0
        self.child_cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            rss = pss = 0
            children = me.children(recursive=True)
            self.processes_peak = max(self.processes_peak, len(children))
            for child in children:
                try:
                    info = child.memory_full_info()
                    times = child.cpu_times()
                except psutil.Error:  # a renderer that exited between listing and reading
                    continue
                rss, pss = rss + info.rss, pss + getattr(info, "pss", info.rss)
                self.child_cpu[child.pid] = times.user + times.system
            self.browser_rss_peak = max(self.browser_rss_peak, rss)
            self.browser_pss_peak = max(self.browser_pss_peak, pss)
            self.agent_peak = max(self.agent_peak, me.memory_info().rss)
            self._stop.wait(0.1)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _flows(quick: bool) -> list[FlowSpec]:
    items = _ITEMS[:1] if quick else _ITEMS
    flows = [
        FlowSpec(
            name=f"find {name}",
            description=name,
            instructions=f"Find {name}.",
            order=i + 1,
            task=TaskSpec(kind="find_item", params={"item_name": name}),
        )
        for i, name in enumerate(items)
    ]
    flows.append(
        FlowSpec(
            name="explore",
            description="look around",
            instructions="Look around.",
            order=len(flows) + 1,
            task=TaskSpec(kind="explore", params={"max_pages": 2 if quick else 4}),
        )
    )
    return flows


def run(quick: bool = False) -> dict[str, Any]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SHOP)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    sessions_per_flow = 1 if quick else 8
    try:
        with tempfile.TemporaryDirectory() as artifacts, _Sampler() as sampler:
            started, cpu_before = time.monotonic(), psutil.Process().cpu_times()
            results = run_panel(
                {"shop": url},
                _flows(quick),
                sessions_per_flow=sessions_per_flow,
                concurrency=CONCURRENCY,
                artifacts_dir=Path(artifacts),
            )
            wall = time.monotonic() - started
            cpu_after = psutil.Process().cpu_times()
    finally:
        server.shutdown()
        server.server_close()
    agent_cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    durations = sorted(r.duration_ms for r in results)
    mb = 1024 * 1024
    return {
        "sessions": len(results),
        "concurrency": CONCURRENCY,
        "wall_s": round(wall, 2),
        "sessions_per_second": round(len(results) / wall, 2),
        "median_session_ms": round(statistics.median(durations), 1),
        "p95_session_ms": round(durations[min(len(durations) - 1, int(0.95 * len(durations)))], 1),
        "success_rate": round(sum(r.success for r in results) / len(results), 3),
        "median_actions": statistics.median(r.n_actions for r in results),
        "peak_browser_rss_sum_mb": round(sampler.browser_rss_peak / mb, 1),
        "peak_browser_pss_mb": round(sampler.browser_pss_peak / mb, 1),
        "peak_agent_rss_mb": round(sampler.agent_peak / mb, 1),
        "peak_total_pss_mb": round((sampler.browser_pss_peak + sampler.agent_peak) / mb, 1),
        # Renderer processes are the main cost a panel can avoid (site isolation off, tabs reused).
        "peak_browser_processes": sampler.processes_peak,
        # CPU seconds (agent + Chromium + driver) per session: what throughput scales with on a busy machine.
        "cpu_s_per_session": round((agent_cpu + sum(sampler.child_cpu.values())) / len(results), 3),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
        "targets": {"sessions_per_second": 2.0, "peak_total_pss_mb": 1536},
    }
