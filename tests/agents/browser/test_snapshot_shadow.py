"""The scout's reading of a page: inside open shadow roots too, and a language switcher is no filter."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from agents.browser.chromium import launch
from agents.browser.snapshot import _FORMS_JS
from settings import Settings

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "shadow_catalog.html"


def read(html: str, settings: Settings) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        async with async_playwright() as pw:
            browser = await launch(pw, browser=settings.browser)
            try:
                page = await browser.new_page()
                await page.set_content(html)
                found: dict[str, Any] = await page.evaluate(_FORMS_JS)
                if found["forms"]:  # the selector reported reaches the form in its shadow root
                    found["selected"] = await page.locator(found["forms"][0]["selector"]).count()
                return found
            finally:
                await browser.close()

    return asyncio.run(go())


def test_forms_controls_and_entries_inside_shadow_roots_are_seen(settings: Settings) -> None:
    found = read(FIXTURE.read_text(), settings)
    assert found["filters"] == ["Colour"]  # the two language switchers are not product filters
    assert [e["name"] for e in found["entries"]] == ["Alpha", "Beta", "Gamma"]
    (form,) = found["forms"]
    assert (form["heading"], form["submit_text"], form["selector"]) == ("Add an entry", "Add entry", "form#add")
    assert [(f["name"], f["label"]) for f in form["fields"]] == [("what", "What")]
    assert found["selected"] == 1


def test_a_select_of_other_words_is_still_a_filter(settings: Settings) -> None:
    page = ('<select name="size"><option>S</option><option>M</option><option>L</option></select>'
            '<select name="brand"><option value="de">Acme</option><option value="fr">Zeta</option></select>')
    assert read(page, settings)["filters"] == ["size", "brand"]
