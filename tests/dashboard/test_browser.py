"""The real thing: `streamlit run` on a loopback port, every view opened in the system Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.dashboard_cmd import serve_dashboard, streamlit_command
from cli.errors import UserError
from tests.conftest import system_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
PAGES = {"experiments": "", "comparison": "comparison", "solves": "solves", "timeline": "timeline",
         "evaluate": "evaluate", "playground_setup": "playground_setup",
         "evaluation_results": "evaluation_results", "system": "system"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-gpu"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(seeded: dict[str, Any], demo: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "VARIANTLAB_DATABASE_URL": seeded["url"]}
    proc = subprocess.Popen(streamlit_command(port), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("streamlit did not answer its health check within 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.browser
def test_every_view_renders_in_chromium(server: str, seeded: dict[str, Any]) -> None:
    chromium = system_chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        for view, path in PAGES.items():
            page.goto(f"{server}/{path}?exp={seeded['experiment_id']}")
            page.wait_for_selector("text=Local mode", timeout=30_000)
            # Streamlit shows its running indicator until the script finishes.
            page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / f"{view}.png"), full_page=True)
            errors = page.locator('[data-testid="stException"]')
            assert errors.count() == 0, f"{view}: {errors.first.inner_text()}"
            assert "Local mode" in page.inner_text("body"), view
        page.goto(f"{server}/comparison?exp={seeded['experiment_id']}")
        page.wait_for_selector("text=Champion: v1", timeout=30_000)
        page.wait_for_selector("text=Chance to beat control", timeout=30_000)
        browser.close()


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("text=Local mode", timeout=30_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


@pytest.mark.browser
def test_comparison_scorecard_for_both_demo_experiments(server: str, demo: dict[str, str], tmp_path: Path) -> None:
    """The new Comparison page in real Chromium: styled, every row filled, nothing cut off, no dead links;
    a full-page screenshot per demo experiment in the test's tmp dir and test-artifacts/dashboard/."""
    chromium = system_chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        for app, verdict in (("shop", "No champion, baseline kept"), ("signup", "Champion: v1")):
            _open(page, f"{server}/comparison?exp={demo[app]}")
            page.wait_for_selector(f"text={verdict}", timeout=30_000)
            table = page.locator(".vl-scorecard table")
            table.wait_for(timeout=30_000)
            # The <style> reached the page (st.html keeps it), so the table is laid out as designed.
            assert table.evaluate("t => getComputedStyle(t).borderCollapse") == "collapse", app
            fits = table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1")
            assert fits, f"{app}: the scorecard is wider than the page"
            dots = page.locator(".vl-scorecard .vl-dot")
            assert dots.count() >= 3 and dots.first.bounding_box()["width"] == 10, app  # bars drawn, styled
            body = page.inner_text("body")
            for never in ("None", "0.0000", "no comparison yet"):
                assert never not in body, f"{app}: {never!r} on the page"
            assert page.locator('a[href*="127.0.0.1:41235"]').count() == 0, f"{app}: a link to a dead preview"
            assert page.locator('[data-testid="stCode"]').filter(visible=True).count() == 0, "diffs start collapsed"
            page.locator('[data-testid="stImage"] img').nth(2).wait_for(timeout=30_000)  # each arm's first page
            # Streamlit scrolls inside its main section, so the window is made as tall as the page.
            height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            page.set_viewport_size({"width": 1440, "height": height})
            page.wait_for_timeout(500)  # charts re-layout to the new size
            for folder in (tmp_path, ARTIFACTS):
                page.screenshot(path=str(folder / f"comparison-demo-{app}.png"), full_page=True)
            page.set_viewport_size({"width": 1440, "height": 1000})
            assert (tmp_path / f"comparison-demo-{app}.png").stat().st_size > 10_000
        signup = page.inner_text(".vl-scorecard")
        assert "both 0 %: every session in both arms came out the same" in signup
        browser.close()


def test_serve_dashboard_refuses_a_bad_port() -> None:
    with pytest.raises(UserError, match="between 1 and 65535"):
        serve_dashboard(70000)
