"""`variantlab sandbox exec|serve` and the sandbox bench, through the real CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from cli.bench import sandbox as bench
from cli.main import app
from tests.agents.sandbox.conftest import make_site

ROOT = Path(__file__).resolve().parents[3]


def test_exec_prints_output_and_returns_the_exit_code(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s")
    result = CliRunner().invoke(app, ["sandbox", "exec", "--repo", str(site), "--",
                                      "sh", "-c", "cat index.html; exit 5"])
    assert result.exit_code == 5 and "<h1>fixture</h1>" in result.output


def test_bad_repo_and_bad_ref_are_one_line_errors(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s")
    for args in (["--repo", str(tmp_path / "missing")], ["--repo", str(site), "--ref", "v2"]):
        result = CliRunner().invoke(app, ["sandbox", "exec", *args, "--", "true"])
        assert result.exit_code == 2
        assert result.output.startswith("error: ") and result.output.count("\n") == 1


def test_serve_prints_a_working_url_and_cleans_up_on_ctrl_c(tmp_path: Path, data_dir: Path) -> None:
    site = make_site(tmp_path / "s")
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "sandbox", "serve", "--repo", str(site)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "VARIANTLAB_DATA_DIR": str(data_dir)})
    try:
        line = proc.stdout.readline()
        url = line.split(" at ")[1].split()[0]
        with urllib.request.urlopen(url, timeout=10) as response:
            assert b"<h1>fixture</h1>" in response.read()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    time.sleep(0.1)
    assert list((data_dir / "sandboxes").iterdir()) == []


def test_quick_bench_reports_every_figure() -> None:
    figures = bench.run(quick=True)
    for key in ("create_to_ready_ms_median", "create_to_ready_ms_p95", "command_overhead_ms_median",
                "peak_rss_mb_self", "peak_rss_mb_children"):
        assert isinstance(figures[key], float) and figures[key] > 0 or key.startswith("command")
    assert figures["create_to_ready_ms_p95"] >= figures["create_to_ready_ms_median"]


def test_quick_bringup_bench_installs_once_per_lockfile() -> None:
    from cli.bench import bringup

    figures = bringup.run(quick=True)
    for kind in ("static", "node", "python"):
        assert figures["kinds"][kind]["installs"] == figures["kinds"][kind]["distinct_lockfiles"], figures
        assert figures["kinds"][kind]["later_create_to_ready_ms_median"] > 0
    assert figures["installs_per_distinct_lockfile"] == 1.0


def test_a_memory_limit_that_is_not_positive_is_one_line(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from settings import get_settings

    for value in ("-5", "0"):
        monkeypatch.setenv("VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB", value)
        get_settings.cache_clear()
        result = CliRunner().invoke(app, ["sandbox", "exec", "--repo", str(make_site(tmp_path / value)),
                                          "--", "true"])
        assert result.exit_code == 2 and result.output.count("\n") == 1
        assert result.output.startswith("error: VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB: ")
        assert "greater than 0" in result.output
