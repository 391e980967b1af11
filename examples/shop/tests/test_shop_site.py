"""Structural tests of the shop: run with `python3 -m unittest discover -s tests -q` from the shop root.

They check what must stay true whatever a change adds (links resolve, every product is
listed once, pages parse, the cart works from plain files) and never forbid new features.
"""

from __future__ import annotations

import json
import re
import unittest
from decimal import Decimal, InvalidOperation
from pathlib import Path

from shop_html import Node, is_external, local_target, parse

ROOT = Path(__file__).resolve().parent.parent
ASSET_SUFFIXES = (".html", ".css", ".js")
# XML namespaces are identifiers, not requests.
NAMESPACE = re.compile(r"https?://www\.w3\.org/[\w/.-]*")


def site_files(*suffixes: str) -> list[Path]:
    skip = {"tests", "tools", "node_modules", ".git"}
    return sorted(
        p
        for p in ROOT.rglob("*")
        if p.is_file() and p.suffix in suffixes and not skip & set(p.relative_to(ROOT).parts)
    )


def catalog() -> list[dict[str, str]]:
    return json.loads((ROOT / "data" / "products.json").read_text(encoding="utf-8"))["products"]


def listing_pages() -> list[Path]:
    """index.html and every page reached from it through its pagination links."""
    seen: list[Path] = []
    todo = [(ROOT / "index.html").resolve()]
    while todo:
        page = todo.pop(0)
        if page in seen:
            continue
        seen.append(page)
        tree, _ = parse(page)
        for nav in tree.find_all(cls="pagination"):
            for a in nav.find_all("a"):
                target = local_target(page, a.attrs.get("href", ""))
                if target is not None and target.exists():
                    todo.append(target)
    return seen


def cards(tree: Node) -> list[Node]:
    return tree.find_all("li", "product-card")


class SiteStructure(unittest.TestCase):
    def test_every_page_is_well_formed(self) -> None:
        for page in site_files(".html"):
            with self.subTest(page=page.name):
                tree, errors = parse(page)
                self.assertEqual(errors, [])
                self.assertIsNotNone(tree.find("html"))
                self.assertIsNotNone(tree.find("title"))

    def test_every_local_link_resolves(self) -> None:
        for page in site_files(".html"):
            tree, _ = parse(page)
            for node in tree.iter():
                for attr in ("href", "src", "action"):
                    target = local_target(page, node.attrs.get(attr, ""))
                    if target is not None:
                        with self.subTest(page=page.name, link=node.attrs[attr]):
                            self.assertTrue(target.is_file(), f"{page.name}: {node.attrs[attr]} is missing")

    def test_no_external_urls(self) -> None:
        for page in site_files(".html"):
            tree, _ = parse(page)
            for node in tree.iter():
                for attr in ("href", "src", "action", "srcset", "poster", "data"):
                    with self.subTest(page=page.name, attr=attr):
                        self.assertFalse(is_external(node.attrs.get(attr, "")), node.attrs.get(attr))
        for path in site_files(".html", ".css", ".js"):
            text = NAMESPACE.sub("", path.read_text(encoding="utf-8"))
            with self.subTest(file=path.name):
                self.assertNotRegex(text, r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/")
                self.assertNotRegex(text, r"(?i)url\(\s*['\"]?(https?:)?//")


class Listing(unittest.TestCase):
    def test_listing_pages_have_product_cards(self) -> None:
        pages = listing_pages()
        self.assertGreaterEqual(len(pages), 1)
        for page in pages:
            tree, errors = parse(page)
            with self.subTest(page=page.name):
                self.assertEqual(errors, [])
                self.assertIsNotNone(tree.find("ul", "product-list"))
                self.assertGreater(len(cards(tree)), 0)

    def test_each_card_has_category_price_and_link(self) -> None:
        categories = {p["category"] for p in catalog()}
        for page in listing_pages():
            tree, _ = parse(page)
            for card in cards(tree):
                with self.subTest(page=page.name, card=card.text()[:40]):
                    self.assertIn(card.attrs.get("data-category"), categories)
                    try:
                        Decimal(card.attrs.get("data-price", ""))
                    except InvalidOperation:
                        self.fail(f"bad data-price {card.attrs.get('data-price')!r}")
                    link = card.find("a")
                    self.assertIsNotNone(link)
                    self.assertTrue(link.text())
                    target = local_target(page, link.attrs.get("href", ""))
                    self.assertIsNotNone(target)
                    self.assertTrue(target.is_file())
                    price = card.find(cls="price")
                    self.assertIsNotNone(price)
                    self.assertIn(card.attrs["data-price"], price.text())

    def test_every_product_is_listed_exactly_once(self) -> None:
        listed: list[str] = []
        for page in listing_pages():
            tree, _ = parse(page)
            for card in cards(tree):
                listed.append(local_target(page, card.find("a").attrs["href"]).stem)
        expected = sorted(p["id"] for p in catalog())
        self.assertEqual(sorted(listed), expected)


class ProductsAndCart(unittest.TestCase):
    def test_catalog_is_consistent(self) -> None:
        products = catalog()
        ids = [p["id"] for p in products]
        self.assertEqual(len(ids), len(set(ids)))
        for p in products:
            with self.subTest(product=p["id"]):
                self.assertTrue(p["name"] and p["category"] and p["description"])
                self.assertGreater(Decimal(p["price"]), 0)

    def test_product_pages_offer_add_to_cart(self) -> None:
        for p in catalog():
            page = ROOT / "products" / f"{p['id']}.html"
            with self.subTest(product=p["id"]):
                self.assertTrue(page.is_file())
                tree, errors = parse(page)
                self.assertEqual(errors, [])
                self.assertIn(p["name"], tree.find("h1").text())
                self.assertIn(p["price"], tree.find(cls="price").text())
                self.assertIn(p["category"], tree.text())
                button = tree.find("button", "add-to-cart")
                self.assertIsNotNone(button)
                self.assertEqual(button.attrs.get("data-id"), p["id"])
                backs = [a for a in tree.find_all("a") if "back to products" in a.text().lower()]
                self.assertTrue(backs, "no 'Back to products' link")

    def test_cart_script_is_on_every_page(self) -> None:
        script = ROOT / "assets" / "cart.js"
        self.assertTrue(script.is_file())
        self.assertIn("localStorage", script.read_text(encoding="utf-8"))
        for page in site_files(".html"):
            tree, _ = parse(page)
            with self.subTest(page=page.name):
                sources = {
                    local_target(page, s.attrs["src"]) for s in tree.find_all("script") if "src" in s.attrs
                }
                self.assertIn(script.resolve(), sources)
                self.assertIsNotNone(tree.find(cls="cart-count"))

    def test_cart_page_has_item_list(self) -> None:
        tree, errors = parse(ROOT / "cart.html")
        self.assertEqual(errors, [])
        self.assertIsNotNone(tree.find(cls="cart-items"))
        self.assertIsNotNone(tree.find(cls="cart-total"))


if __name__ == "__main__":
    unittest.main()
