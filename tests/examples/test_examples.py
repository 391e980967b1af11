"""The bundled example apps: their own suites pass, the shop is big enough, its generator is deterministic."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHOP = EXAMPLES / "shop"
# No __pycache__ left in the example folders: the sandbox snapshots them file by file.
NO_BYTECODE = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


class _Cards(HTMLParser):
    """Collects data-category of every li.product-card on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.categories: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "li" and "product-card" in (a.get("class") or "").split():
            self.categories.append(a.get("data-category") or "")
        if tag == "a" and "product-link" in (a.get("class") or "").split():
            self.hrefs.append(a.get("href") or "")


@pytest.mark.parametrize("app", ["shop", "signup"])
def test_app_own_suite_passes(app: str) -> None:
    # The exact command detection chooses, run the way a sandbox runs it: from the app root.
    result = subprocess.run(
        [sys.executable, "-m", "unittest", "discover", "-s", "tests", "-q"],
        cwd=EXAMPLES / app,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=NO_BYTECODE,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Ran " in result.stderr and " 0 tests" not in result.stderr


@pytest.mark.parametrize("app", ["shop", "signup"])
def test_sandbox_detects_a_static_site_with_no_config(app: str) -> None:
    from agents.sandbox.appconfig import load_app_config

    assert not (EXAMPLES / app / "variantlab.toml").exists()
    config = load_app_config(EXAMPLES / app)
    assert (config.kind, config.install, config.start) == ("static", None, None)
    assert config.test == "python3 -m unittest discover -s tests -q"


def test_shop_lists_enough_products_in_enough_categories() -> None:
    parser = _Cards()
    listing = [SHOP / "index.html", *sorted(SHOP.glob("page-*.html"))]
    for page in listing:
        parser.feed(page.read_text(encoding="utf-8"))
    assert len(parser.categories) >= 60
    assert len(set(parser.categories)) >= 6
    assert len(set(parser.hrefs)) == len(parser.hrefs)
    assert all((SHOP / href).is_file() for href in parser.hrefs)
    # Twelve per page and categories mixed: the first page must not be a single category.
    first = _Cards()
    first.feed((SHOP / "index.html").read_text(encoding="utf-8"))
    assert len(first.categories) == 12 and len(set(first.categories)) >= 4


def test_shop_generator_is_deterministic(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SHOP / "tools" / "build.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=NO_BYTECODE,
    )
    assert result.returncode == 0, result.stderr
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.html"))
    assert len(generated) >= 60
    for rel in generated:
        assert (tmp_path / rel).read_bytes() == (SHOP / rel).read_bytes(), (
            f"{rel} differs from the committed file"
        )
