"""A panel in rounds on the bundled shop: each round whole, indices and seeds continuing, one browser."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from agents.browser.panel import run_panel, session_seed
from agents.browser.results import SessionResult
from agents.schemas import FlowSpec, TaskSpec
from settings import Settings

pytestmark = pytest.mark.browser

FLOW = FlowSpec(name="find the beanie", description="find it", instructions="Find the Merino Wool Beanie.", order=1,
                task=TaskSpec(kind="find_item", params={"item_name": "Merino Wool Beanie", "category": "Apparel"}))


def test_rounds_continue_where_the_last_one_ended_until_no_more_are_asked(shop_url: str,
                                                                          tmp_path: Path, settings: Settings) -> None:
    seen: list[int] = []
    asks = iter([2, 1, 0])

    def next_round(results: list[SessionResult]) -> int:
        seen.append(len(results))
        return next(asks)

    results = run_panel({"control": shop_url, "v1": shop_url}, [FLOW], sessions_per_flow=2, seed=3,
                        artifacts_dir=tmp_path, next_round=next_round, settings=settings)
    # Asked after every round, with everything so far: 2 arms x (2, then 2 + 2, then 2 + 2 + 1) sessions.
    assert seen == [4, 8, 10] and len(results) == 10
    assert Counter(r.variant_key for r in results) == {"control": 5, "v1": 5}
    for key in ("control", "v1"):
        # Later rounds go on with new users (indices 2, 3, 4), not the first round's again: the same
        # seeds meet both arms, so the design stays paired.
        assert sorted(r.seed for r in results if r.variant_key == key) == [session_seed(3, 1, i) for i in range(5)]


def test_a_negative_round_is_refused(shop_url: str, tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(ValueError, match="-1 sessions per flow"):
        run_panel({"control": shop_url}, [FLOW], sessions_per_flow=1, artifacts_dir=tmp_path,
                  next_round=lambda results: -1, settings=settings)
