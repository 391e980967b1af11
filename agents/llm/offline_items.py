"""Offline flows about items: find a named item, the cheapest of a kind, browse a category.

Targets are items the scout saw on the rendered listings, reached by links from the start page.
"""

from __future__ import annotations

import hashlib
import re

from agents.schemas import FlowSpec, ItemInfo, ScoutInventory, TaskSpec

MAX_ITEM_FLOWS = 3
_CART = re.compile(r"add to (cart|bag|basket)|\bbuy\b", re.IGNORECASE)


def stable(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def reachable_items(inv: ScoutInventory) -> list[ItemInfo]:
    """Named items with a link on this site: the scout reached their listing by links from the start."""
    origin = re.match(r"^[a-z]+://[^/]+", inv.url.lower())
    unique: dict[str, ItemInfo] = {}
    for item in inv.items:
        key = item.name.strip().lower()
        if key and (origin is None or item.href.lower().startswith(origin.group(0))):
            unique.setdefault(key, item)
    return list(unique.values())


def _depth(item: ItemInfo, deepest: int, url: str) -> float:
    """Position in the listing: 0 for the first page, 1 for the last page seen."""
    if deepest > 1:
        return (item.page - 1) / (deepest - 1)
    return 0.5 if item.found_on.rstrip("/") not in ("", url.rstrip("/")) else 0.0


def pick_items(inv: ScoutInventory, items: list[ItemInfo]) -> list[ItemInfo]:
    """Up to MAX_ITEM_FLOWS targets, deepest first (the real test of findability), distinct categories first."""
    deepest = max(i.page for i in items)
    depths = [_depth(i, deepest, inv.url) for i in items]
    if not any(depths):  # no page information: later in the listing is further
        depths = [0.5 if n >= len(items) // 2 else 0.0 for n in range(len(items))]
    tiers = [
        [i for i, d in zip(items, depths, strict=True) if d > 0.6],
        [i for i, d in zip(items, depths, strict=True) if 0 < d <= 0.6],
        [i for i, d in zip(items, depths, strict=True) if d == 0],
    ]
    picked: list[ItemInfo] = []
    for pool in tiers:
        ranked = sorted(pool, key=lambda i: stable(inv.url + i.name))
        categories = {i.category for i in picked}
        for item in ranked:
            if len(picked) < MAX_ITEM_FLOWS and (not item.category or item.category not in categories):
                picked.append(item)
                categories.add(item.category)
        picked += [i for i in ranked if i not in picked][: MAX_ITEM_FLOWS - len(picked)]
    return picked


def has_cart(inv: ScoutInventory) -> bool:
    return any(_CART.search(b) for page in inv.pages for b in page.buttons)


def _search_note(inv: ScoutInventory) -> str:
    if not inv.controls.search:
        return ""
    return f" The site has a search box ({inv.controls.search_probe or 'not tried'})."


def find_flow(inv: ScoutInventory, item: ItemInfo) -> FlowSpec:
    cart = has_cart(inv)
    where = f" It should be in the {item.category} section." if item.category else ""
    then = ", and add it to your cart" if cart else ", and open its page"
    return FlowSpec(
        name=f"Find {item.name}" + (" and add it to the cart" if cart else ""),
        description=f"Find a specific item ({item.name}, listing page {item.page}){then}.{_search_note(inv)}",
        instructions=(
            f'You are looking for "{item.name}" on this site.{where} Look around the way you normally would '
            f"(links, menus or the site's own search), find its page{then}. Say so if you cannot find it."
        ),
        task=TaskSpec(kind="find_item", params={
            "item_name": item.name, "category": item.category, "add_to_cart": cart}),
    )


def cheapest_flow(inv: ScoutInventory, group: list[ItemInfo], seen: int) -> FlowSpec:
    cheapest = min(group, key=lambda i: (i.price_value, i.name))
    category = cheapest.category if all(i.category == cheapest.category for i in group) else ""
    thing = f"item in {category}" if category else "item"
    cart = has_cart(inv)
    return FlowSpec(
        name=f"Find the cheapest {thing}",
        description=(f"Find the cheapest {thing} ({cheapest.name}, {cheapest.price}: the lowest price of the "
                     f"{len(group)} such items among the {seen} priced items the scout saw)."),
        instructions=(
            f"You want the cheapest {thing} on this site. Compare prices the way you normally would "
            f"(sorting, filters, or reading the listings), then open the cheapest one"
            + (" and add it to your cart." if cart else ".")
        ),
        task=TaskSpec(kind="find_item", params={
            "item_name": cheapest.name, "category": category, "add_to_cart": cart, "criterion": "cheapest"}),
    )


def browse_flow(inv: ScoutInventory, items: list[ItemInfo]) -> FlowSpec:
    categories = sorted({i.category for i in items if i.category})
    category = categories[int(stable(inv.url), 16) % len(categories)] if categories else ""
    focus = f"the {category} items" if category else "what the site lists"
    return FlowSpec(
        name=f"Browse {category or 'the listings'}",
        description=f"Browse: look through {focus} and compare a few of them.",
        instructions=(
            f"You have nothing particular in mind. Look through {focus}, open a few that interest you and "
            "compare them. Notice anything that makes this hard."
        ),
        task=TaskSpec(kind="explore", params={"max_pages": max_pages(inv), "category": category}),
    )


def unique_min(items: list[ItemInfo]) -> bool:
    prices = sorted(i.price_value for i in items if i.price_value is not None)
    return len(prices) >= 2 and prices[0] < prices[1]


def max_pages(inv: ScoutInventory) -> int:
    """Never more pages than the app has, counted as a visitor's history does (a hash route or a
    listing paged in place is the same page): a one-page app offers one."""
    return max(1, min(5, len({p.url.split("#")[0] for p in inv.app_pages})))
