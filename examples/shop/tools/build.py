"""Generate the shop's static HTML from data/products.json (stdlib only, deterministic).

Usage: python3 tools/build.py [--out DIR]   (default: the shop root, next to this tools/ folder)

Writes index.html, page-N.html, products/<id>.html and cart.html. The hand-written
assets/ (style.css, cart.js) are not generated. The output depends only on the JSON,
so re-running it yields byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_PAGE = 12


def load_catalog(root: Path) -> tuple[str, list[dict[str, str]]]:
    data = json.loads((root / "data" / "products.json").read_text(encoding="utf-8"))
    return data["store"], data["products"]


def listing_order(products: list[dict[str, str]]) -> list[dict[str, str]]:
    # A stable hash of the id scatters categories over all pages: browsing to find one
    # product is genuinely slow, which is the flaw this example app exists to show.
    return sorted(products, key=lambda p: hashlib.sha256(p["id"].encode()).hexdigest())


def page_file(n: int) -> str:
    return "index.html" if n == 1 else f"page-{n}.html"


def layout(store: str, title: str, body: str, prefix: str = "") -> str:
    """One page: shared header (with the cart count) around a main body; prefix reaches the root."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · {escape(store)}</title>
<link rel="icon" href="{prefix}assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{prefix}assets/style.css">
<script src="{prefix}assets/cart.js" defer></script>
</head>
<body>
<header class="site-header">
<a class="brand" href="{prefix}index.html">{escape(store)}</a>
<nav class="site-nav" aria-label="Main">
<a href="{prefix}index.html">Products</a>
<a class="cart-link" href="{prefix}cart.html">Cart (<span class="cart-count">0</span>)</a>
</nav>
</header>
<main>
{body}
</main>
<footer class="site-footer"><p>&copy; {escape(store)}. Free shipping on orders over $75.</p></footer>
</body>
</html>
"""


def card(p: dict[str, str]) -> str:
    return (
        f'<li class="product-card" data-id="{escape(p["id"])}" data-category="{escape(p["category"])}"'
        f' data-price="{escape(p["price"])}">\n'
        f'<a class="product-link" href="products/{escape(p["id"])}.html">{escape(p["name"])}</a>\n'
        f'<span class="product-category">{escape(p["category"])}</span>\n'
        f'<span class="price">${escape(p["price"])}</span>\n'
        "</li>"
    )


def pagination(n: int, pages: int) -> str:
    parts = []
    if n > 1:
        parts.append(f'<a class="page-prev" rel="prev" href="{page_file(n - 1)}">Previous</a>')
    for i in range(1, pages + 1):
        if i == n:
            parts.append(f'<span class="page-number current" aria-current="page">{i}</span>')
        else:
            parts.append(f'<a class="page-number" href="{page_file(i)}">{i}</a>')
    if n < pages:
        parts.append(f'<a class="page-next" rel="next" href="{page_file(n + 1)}">Next</a>')
    return '<nav class="pagination" aria-label="Pages">\n' + "\n".join(parts) + "\n</nav>"


def listing_page(store: str, chunk: list[dict[str, str]], n: int, pages: int) -> str:
    cards = "\n".join(card(p) for p in chunk)
    body = (
        f'<h1>All products</h1>\n<p class="page-info">Page {n} of {pages}</p>\n'
        f'<ul class="product-list">\n{cards}\n</ul>\n{pagination(n, pages)}'
    )
    return layout(store, f"Products, page {n} of {pages}", body)


def product_page(store: str, p: dict[str, str]) -> str:
    body = f"""<p><a class="back-link" href="../index.html">Back to products</a></p>
<article class="product-detail" data-id="{escape(p["id"])}">
<h1 class="product-name">{escape(p["name"])}</h1>
<p class="product-category">Category: {escape(p["category"])}</p>
<p class="price">${escape(p["price"])}</p>
<p class="product-description">{escape(p["description"])}</p>
<button type="button" class="add-to-cart" data-id="{escape(p["id"])}" data-name="{escape(p["name"])}" data-price="{escape(p["price"])}">Add to cart</button>
<p class="cart-status" role="status" aria-live="polite"></p>
</article>"""
    return layout(store, p["name"], body, prefix="../")


def cart_page(store: str) -> str:
    body = """<h1>Your cart</h1>
<p class="cart-empty">Your cart is empty.</p>
<ul class="cart-items"></ul>
<p class="cart-summary">Total: <span class="cart-total">$0.00</span></p>
<button type="button" class="clear-cart">Empty cart</button>
<p><a class="back-link" href="index.html">Back to products</a></p>"""
    return layout(store, "Your cart", body)


def build(out: Path, root: Path = ROOT) -> list[Path]:
    """Write every generated page under out; return the paths written (sorted)."""
    store, products = load_catalog(root)
    ordered = listing_order(products)
    pages = (len(ordered) + PER_PAGE - 1) // PER_PAGE
    files: dict[str, str] = {"cart.html": cart_page(store)}
    for n in range(1, pages + 1):
        chunk = ordered[(n - 1) * PER_PAGE : n * PER_PAGE]
        files[page_file(n)] = listing_page(store, chunk, n, pages)
    for p in products:
        files[f"products/{p['id']}.html"] = product_page(store, p)
    written = []
    for rel, text in sorted(files.items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="output folder (default: the shop root)")
    args = parser.parse_args()
    written = build(args.out)
    print(f"wrote {len(written)} files to {args.out}")


if __name__ == "__main__":
    main()
