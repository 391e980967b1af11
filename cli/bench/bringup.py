"""Bring-up figures: installs per experiment (one per distinct lockfile is the target) and
create → preview-ready per kind of app, on small apps written into a temporary folder.

Each kind plays one experiment: a control, then variants and solve runs, all from the same
lockfile. The first sandbox installs from the registries (npm, PyPI); every later one should copy
the dependencies in. A fresh data dir keeps earlier runs' caches out of the figures.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from agents.sandbox.factory import open_sandbox
from settings import Settings, get_settings

_NODE_SERVER = """const http = require("http");
const isNumber = require("is-number");
http.createServer((req, res) => {
  res.setHeader("content-type", "text/html");
  res.end(`<!doctype html><title>node</title><h1>${isNumber(7) ? "seven" : "?"}</h1>`);
}).listen(Number(process.env.PORT || 3000), process.env.HOST || "127.0.0.1");
"""
_FLASK_APP = """from flask import Flask

app = Flask(__name__)


@app.route("/")
def index() -> str:
    return "<!doctype html><title>python</title><h1>flask</h1>"
"""


def write_apps(root: Path) -> dict[str, Path]:
    """A static site; a Node server needing one npm package; a Flask app from requirements.txt."""
    apps = {"static": root / "static", "node": root / "node", "python": root / "python"}
    for path in apps.values():
        path.mkdir(parents=True)
    (apps["static"] / "index.html").write_text("<!doctype html><title>static</title><h1>static</h1>\n")
    (apps["node"] / "package.json").write_text(json.dumps({
        "name": "bench-node", "private": True, "version": "1.0.0", "main": "server.js",
        "scripts": {"start": "node server.js"}, "dependencies": {"is-number": "7.0.0"}}, indent=2))
    (apps["node"] / "server.js").write_text(_NODE_SERVER)
    (apps["python"] / "requirements.txt").write_text("flask\n")
    (apps["python"] / "app.py").write_text(_FLASK_APP)
    return apps


def _experiment(app: Path, sandboxes: int, settings: Settings) -> dict:
    """One control plus variants and solve runs of one app, one after another."""
    ready_ms: list[float] = []
    installs = 0
    installing = False
    peak_mb = 0.0
    for _ in range(sandboxes):
        start = time.perf_counter()
        with open_sandbox(str(app), sandbox=settings.sandbox, data_dir=settings.resolved_data_dir) as sandbox:
            sandbox.start_preview()
            ready_ms.append((time.perf_counter() - start) * 1000)
            installs += getattr(sandbox, "dependencies", "installed") == "installed"
            installing = sandbox.app.install is not None
            peak_mb = max(peak_mb, getattr(sandbox, "peak_memory_mb", 0.0))
    return {
        "sandboxes": sandboxes,
        "installs": installs,
        "distinct_lockfiles": 1 if installing else 0,  # every sandbox of one app has the same lockfiles
        "first_create_to_ready_ms": round(ready_ms[0], 1),
        "later_create_to_ready_ms_median": round(statistics.median(ready_ms[1:]), 1),
        "peak_sandbox_memory_mb": round(peak_mb, 1),  # all its processes together, install included
    }


def run(quick: bool = False) -> dict:
    sandboxes = 3 if quick else 6  # a control, three variants, two solve runs
    saved = os.environ.get("VARIANTLAB_DATA_DIR")
    with tempfile.TemporaryDirectory(prefix="vl-bench-bringup-") as tmp:
        os.environ["VARIANTLAB_DATA_DIR"] = str(Path(tmp) / "data")
        get_settings.cache_clear()
        try:
            apps = write_apps(Path(tmp) / "apps")
            settings = get_settings()
            kinds = {kind: _experiment(app, sandboxes, settings) for kind, app in apps.items()}
        finally:
            if saved is None:
                os.environ.pop("VARIANTLAB_DATA_DIR", None)
            else:
                os.environ["VARIANTLAB_DATA_DIR"] = saved
            get_settings.cache_clear()
    installs = sum(k["installs"] for k in kinds.values())
    lockfiles = sum(k["distinct_lockfiles"] for k in kinds.values())
    return {
        "provider": get_settings().sandbox.provider,
        "sandboxes_per_experiment": sandboxes,
        "kinds": kinds,
        "installs": installs,
        "installs_per_distinct_lockfile": round(installs / lockfiles, 2) if lockfiles else 0.0,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "targets": {"installs_per_distinct_lockfile": 1},
    }
