"""Private previews (E2B's default): every request must carry the preview's access header."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from agents.browser.chromium import BrowserError
from agents.browser.panel import run_panel
from agents.schemas import FlowSpec, TaskSpec
from settings import Settings
from tests.agents.browser.conftest import EXAMPLES, QuietHandler, serve

TOKEN_HEADER = "e2b-traffic-access-token"
TOKEN = "s3cret-preview-token"


class TokenGuard(QuietHandler):
    """Refuses any request without the token, as E2B's edge does for a private sandbox."""

    seen: ClassVar[list[str]] = []
    checked: ClassVar[list[str]] = []  # HEAD requests: the panel's link checks

    def _refused(self) -> bool:
        if self.headers.get(TOKEN_HEADER) == TOKEN:
            return False
        self.send_error(403, "missing traffic access token")
        return True

    def do_GET(self) -> None:
        if not self._refused():
            TokenGuard.seen.append(self.path)
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._refused():
            TokenGuard.checked.append(self.path)
            super().do_HEAD()


@pytest.fixture
def private_shop() -> Iterator[str]:
    TokenGuard.seen = []
    TokenGuard.checked = []
    url, server = serve(EXAMPLES / "shop", handler=TokenGuard)
    yield url
    server.shutdown()


FLOW = FlowSpec(
    name="find Rosehip Facial Oil",
    description="",
    instructions="Find it.",
    order=1,
    task=TaskSpec(kind="find_item", params={"item_name": "Rosehip Facial Oil"}),
)


def test_the_panel_carries_the_preview_token_on_every_request(private_shop: str,
                                                              tmp_path: Path, settings: Settings) -> None:
    results = run_panel(
        {"v1": private_shop},
        [FLOW],
        sessions_per_flow=2,
        concurrency=2,
        artifacts_dir=tmp_path,
        headers={"v1": {TOKEN_HEADER: TOKEN}},
        settings=settings,
    )
    assert all(r.success for r in results), [r.summary for r in results]
    assert not any("403" in f for r in results for f in r.failed_requests)
    # Link checks carry the token too (a link refused for want of it would be reported as broken).
    assert len(TokenGuard.checked) >= 5
    assert all(r.broken_links == [] for r in results), [r.broken_links for r in results]
    # Pages, stylesheet and script all came through the guard.
    assert {"/", "/assets/style.css", "/assets/cart.js"} <= set(TokenGuard.seen)
    assert any(p.startswith("/products/") for p in TokenGuard.seen)


def test_a_private_preview_without_its_token_is_refused_before_any_session(
    private_shop: str, tmp_path: Path, settings: Settings
) -> None:
    with pytest.raises(BrowserError, match=r"HTTP 403 \(a private preview needs its access headers\)"):
        run_panel({"v1": private_shop}, [FLOW], sessions_per_flow=1, artifacts_dir=tmp_path,
                  settings=settings)
    assert not any(tmp_path.iterdir())  # nothing half-written


def test_headers_for_a_target_that_is_not_in_the_panel_are_an_error(
    private_shop: str, tmp_path: Path, settings: Settings
) -> None:
    with pytest.raises(ValueError, match="headers given for unknown target"):
        run_panel(
            {"v1": private_shop},
            [FLOW],
            sessions_per_flow=1,
            artifacts_dir=tmp_path,
            headers={"v2": {TOKEN_HEADER: TOKEN}},
            settings=settings,
        )
