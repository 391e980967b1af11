"""The scout on the bundled shop, `variantlab browse` end to end, and the quick browser bench."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.browser.scout import scout
from cli.main import app
from settings import Settings

pytestmark = pytest.mark.browser


def test_scout_sees_products_over_pages_and_whether_there_is_search(
    shop_url: str, search_shop_url: str, settings: Settings
) -> None:
    plain = scout(shop_url, browser=settings.browser)
    assert plain.title.startswith("Products, page 1 of 6")
    assert not plain.controls.search and plain.forms == []
    # 12 a page, all six listing pages read before item pages: deep items are what find tasks target.
    assert len({i.name for i in plain.items}) == 72
    assert {i.page for i in plain.items} == {1, 2, 3, 4, 5, 6}
    assert all(i.price.startswith("$") for i in plain.items)
    assert len({i.category for i in plain.items}) == 8  # the label beside each name and price
    assert len(plain.pages) <= 15 and any("Add to cart" in " ".join(p.buttons) for p in plain.pages)
    searchable = scout(search_shop_url, browser=settings.browser)
    assert searchable.controls.search and searchable.controls.search_probe


def test_browse_prints_flows_sessions_and_analysis_as_json(signup_url: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "browse",
            "--url",
            signup_url,
            "--goal",
            "Users abandon sign-up because the form is confusing",
            "--sessions",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"flows", "sessions", "analysis"}
    assert report["flows"][0]["task"]["kind"] == "complete_form"
    assert len(report["sessions"]) == len(report["flows"])
    ok = sum(s["success"] for s in report["sessions"])
    assert report["analysis"]["summary"].startswith(f"{ok}/{len(report['sessions'])} sessions completed")


def test_browse_rejects_unreachable_and_non_http_urls() -> None:
    for url, message in (
        ("http://127.0.0.1:1/", "cannot reach http://127.0.0.1:1/: connection refused"),
        ("file:///etc/passwd", "--url must be an http(s) URL"),
    ):
        result = CliRunner().invoke(app, ["browse", "--url", url, "--goal", "anything"])
        assert result.exit_code == 2
        assert message in result.output


def test_quick_bench_reports_its_figures() -> None:
    from cli.bench.browser import run

    figures = run(quick=True)
    json.dumps(figures)
    assert figures["rounds"] == 1 and figures["sessions_per_round"] == 2 and figures["concurrency"] == 4
    assert (
        figures["sessions_per_second"] > 0 and figures["p95_session_ms"] >= figures["median_session_ms"] > 0
    )
    assert figures["sustained_sessions_per_second"] >= figures["sessions_per_second"] * 0.99
    assert figures["reference_loop_ms"] > 0
    assert figures["sustained_by_round"] == [figures["sustained_sessions_per_second"]]
    assert figures["peak_browser_pss_mb"] > 0 and figures["cpu_s_per_session"] > 0
    assert Path(figures["chromium"]).is_file()
