"""The bundled example apps really work in Chromium, served as plain files over loopback HTTP."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import system_chromium

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
VALID_SIGNUP = {
    "#first-name": "Ada",
    "#last-name": "Lovelace",
    "#date-of-birth": "1990-12-10",
    "#email": "ada@example.org",
    "#email-confirm": "ada@example.org",
    "#password": "Sunrise#2024x",
    "#password-confirm": "Sunrise#2024x",
    "#phone": "(555) 123-4567",
    "#company": "Analytical Engines",
    "#job-title": "Engineer",
    "#address-line1": "12 St James's Square",
    "#city": "London",
    "#postal-code": "SW1Y 4JH",
    "#use-case": "Running experiments on our checkout.",
}
SELECTS = {"#company-size": "2-10", "#country": "GB", "#referral": "friend"}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = system_chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def shop_url() -> Iterator[str]:
    yield from _serve(EXAMPLES / "shop")


@pytest.fixture(scope="module")
def signup_url() -> Iterator[str]:
    yield from _serve(EXAMPLES / "signup")


def test_shop_adds_a_product_to_the_cart(page: Page, shop_url: str) -> None:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(shop_url)
    expect(page.locator(".product-list .product-card")).to_have_count(12)
    expect(page.locator(".cart-count")).to_have_text("0")
    page.locator(".pagination a.page-next").click()
    expect(page.locator(".page-info")).to_have_text("Page 2 of 6")
    card = page.locator(".product-card").first
    name = card.locator(".product-link").inner_text()
    card.locator(".product-link").click()
    expect(page.locator("h1")).to_have_text(name)
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".cart-count")).to_have_text("2")
    page.get_by_role("link", name="Back to products").click()
    expect(page.locator(".cart-count")).to_have_text("2")  # survives navigation
    page.locator("a.cart-link").click()
    expect(page.locator(".cart-item")).to_have_count(1)
    expect(page.locator(".cart-item")).to_contain_text(name)
    page.locator(".remove-item").click()
    expect(page.locator(".cart-count")).to_have_text("0")
    expect(page.locator(".cart-empty")).to_be_visible()
    assert errors == []


def _fill_signup(page: Page, **overrides: str) -> None:
    for selector, value in {**VALID_SIGNUP, **overrides}.items():
        page.fill(selector, value)
    for selector, value in SELECTS.items():
        page.select_option(selector, value)
    page.check("#terms")
    page.get_by_role("button", name="Create account").click()


def test_signup_with_valid_data_reaches_welcome(page: Page, signup_url: str) -> None:
    page.goto(signup_url)
    _fill_signup(page)
    page.wait_for_url("**/welcome.html")
    expect(page.locator("h1")).to_contain_text("Welcome")


@pytest.mark.parametrize(
    "overrides",
    [
        {"#password": "sunrise2024", "#password-confirm": "sunrise2024"},  # no symbol
        {"#phone": "555-123-4567"},  # format never explained
    ],
    ids=["password-without-symbol", "phone-other-format"],
)
def test_signup_rejects_with_an_unhelpful_message(
    page: Page, signup_url: str, overrides: dict[str, str]
) -> None:
    page.goto(signup_url)
    _fill_signup(page, **overrides)
    alert = page.locator("#form-error")
    expect(alert).to_be_visible()
    expect(alert).to_have_text("Invalid input")
    assert "welcome" not in page.url
    expect(page.locator("h1")).to_have_text("Create your account")
