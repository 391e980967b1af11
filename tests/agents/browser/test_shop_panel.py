"""Simulated users on the bundled shop: tasks that can succeed do, impossible ones fail with their reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from agents.browser.analysis import analyze_panel
from agents.browser.panel import run_panel
from agents.schemas import FlowSpec, TaskSpec

pytestmark = pytest.mark.browser

DEEP_ITEM = "Merino Wool Beanie"  # not on the first listing page
MISSING_ITEM = "Golden Unicorn Lamp"


def find(name: str, order: int, category: str = "") -> FlowSpec:
    return FlowSpec(
        name=f"find {name}",
        description=f"find {name}",
        instructions=f"Find {name} and buy it.",
        order=order,
        task=TaskSpec(kind="find_item", params={"item_name": name, "category": category}),
    )


def test_findable_item_is_added_to_cart_and_missing_item_fails_with_reason(
    shop_url: str, tmp_path: Path
) -> None:
    logs = []
    results = run_panel(
        {"control": shop_url},
        [find(DEEP_ITEM, 1, "Apparel"), find(MISSING_ITEM, 2)],
        sessions_per_flow=4,
        concurrency=4,
        artifacts_dir=tmp_path,
        on_log=logs.append,
    )
    assert len(results) == 8
    found = [r for r in results if r.flow_name == f"find {DEEP_ITEM}"]
    missing = [r for r in results if r.flow_name == f"find {MISSING_ITEM}"]
    assert {r.persona for r in found} == {"searcher", "category_navigator", "scanner", "impatient"}
    # Patient personas reach the product page and the cart count goes up; we check, the persona doesn't claim.
    for r in found:
        if r.persona != "impatient":
            assert r.success, r.summary
            assert "cart count 0 -> 1" in r.summary
            assert any(u.endswith("merino-wool-beanie.html") for u in r.pages_visited)
            assert [a["type"] for a in r.action_log].count("add_to_cart") == 1
    for r in missing:
        assert not r.success
        assert MISSING_ITEM in r.summary
        assert r.summary.startswith(("gave up after", "reached the end of the listing"))
    impatient = next(r for r in missing if r.persona == "impatient")
    assert impatient.n_actions <= 7
    for r in results:
        assert r.self_reported_success is None
        assert r.screenshots and all(Image.open(p).format == "PNG" for p in r.screenshots)
        assert r.started_at.tzinfo is not None and r.completed_at >= r.started_at
        assert r.lcp_ms is None or r.lcp_ms > 0
    assert {rec.variant_key for rec in logs} == {"control"} and len(logs) == 16

    analysis = analyze_panel(results)
    assert MISSING_ITEM in " ".join(analysis.issues)
    assert analysis.summary.startswith(f"{sum(r.success for r in results)}/8 sessions completed")


def test_search_box_makes_the_searcher_faster(shop_url: str, search_shop_url: str, tmp_path: Path) -> None:
    results = run_panel(
        {"control": shop_url, "search": search_shop_url},
        [find("Trail Running Shoes", 1)],
        sessions_per_flow=1,
        artifacts_dir=tmp_path,
    )
    by_variant = {r.variant_key: r for r in results}
    control, search = by_variant["control"], by_variant["search"]
    assert control.persona == search.persona == "searcher" and control.seed == search.seed
    assert control.success and search.success, (control.summary, search.summary)
    assert "fill" in [a["type"] for a in search.action_log]
    assert "typed into the site's search box" in search.insights
    assert "fill" not in [a["type"] for a in control.action_log]  # no box to type into on the original
    assert search.n_actions < control.n_actions
    assert len(search.pages_visited) < len(control.pages_visited)
