"""The scout: before the panel, one visitor maps the rendered app.

It walks same-origin links breadth-first from the start page (bounded; listing pages first, then
links that lead to forms, then the rest, then a sample of item pages), reads each page once it is
rendered, and inventories pages, forms and their purpose, listings and items, in-page controls and
navigation. Dotfile paths, files that are not pages and links that would act (log out, delete) are never visited. When the
app has a search box and items, it searches for one item to see whether search finds it.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable
from urllib.parse import urldefrag, urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, async_playwright

from agents.browser.chromium import check_reachable, is_blocked, launch, origin_of, origin_proxy
from agents.browser.page_view import Item, PageView, changes_state, read_view, selector
from agents.browser.readiness import NetworkWatch, wait_until_ready
from agents.browser.snapshot import READY_TIMEOUT_S, PageRead, read_current, read_page
from agents.browser.sync import run_sync
from agents.schemas import Controls, FormInfo, ItemInfo, ListingInfo, PageLink, ScoutInventory
from settings import BrowserSettings

MAX_PAGES = 15
_OFFSITE_KEPT = 10  # off-origin data requests kept in the inventory, as examples
_DATA_REQUESTS = ("fetch", "xhr")
_ITEM_PAGES = 2  # item pages read as a sample (what an item page offers: add to cart, a form)
_NOT_PAGES = re.compile(
    r"\.(css|js|mjs|map|json|xml|txt|md|csv|ya?ml|toml|lock|py|rb|sh|png|jpe?g|gif|svg|webp|ico|pdf|"
    r"zip|gz|tgz|tar|mp[34]|webm|woff2?|ttf|eot)$",
    re.IGNORECASE,
)
_NEXT_BUTTON = re.compile(r"^(next|more|load more|show more|older)\b|next page|[›»→]", re.IGNORECASE)
_PAGING = re.compile(r"^(\d{1,3}|next( page)?|more|older|›|»|→|>)$|\bnext\b", re.IGNORECASE)
_FORM_WAYS = re.compile(
    r"sign ?up|register|join|log ?in|sign ?in|account|contact|feedback|support|checkout|cart|basket|"
    r"search|new|create|write|post",
    re.IGNORECASE,
)


def scout(url: str, max_pages: int = MAX_PAGES, headers: dict[str, str] | None = None, *,
          browser: BrowserSettings) -> ScoutInventory:
    """What the app at `url` offers; `browser` is the caller's browser settings (which Chromium to drive)."""
    check_reachable(url, headers)
    return run_sync(_scout(url, max_pages, headers, browser))


def visitable(href: str, origin: str) -> bool:
    """A page of this site a visitor may open: same origin, not a dotfile path (/.git/), not a file."""
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https") or origin_of(href) != origin:
        return False
    segments = [s for s in parts.path.split("/") if s]
    return not any(s.startswith(".") for s in segments) and not _NOT_PAGES.search(parts.path)


def address(href: str) -> str:
    """A page's address: without the fragment, unless the fragment is a route (#/recipe/3, #!/about)."""
    base, fragment = urldefrag(href)
    return href if fragment.startswith(("/", "!/")) and fragment not in ("/", "!/") else base


class _Frontier:
    """Pages to read, best first: (tier, order found). Listing pages carry their page number."""

    def __init__(self, start: str) -> None:
        self.origin = origin_of(start)
        self.queue: list[tuple[int, int, str, int]] = []
        self.known: dict[str, int] = {}  # url -> listing page number
        self.depth: dict[str, int] = {}
        self.items_queued = 0
        self.add(start, 0, 1, 0)

    def add(self, href: str, tier: int, page_number: int, depth: int) -> None:
        href = address(href)
        if href in self.known or not visitable(href, self.origin):
            return
        self.known[href], self.depth[href] = page_number, depth
        heapq.heappush(self.queue, (tier, len(self.known), href, page_number))

    def follow(self, read: PageRead, page_number: int) -> None:
        view, depth = read.view, read.info.depth + 1
        item_hrefs = {i.href for i in view.items}
        for link in view.links:
            text = link.text.strip()
            if changes_state(link.href, text):
                continue
            if "next" in link.rel.split() or (len(text) <= 20 and _PAGING.search(text)):
                number = int(text) if text.isdigit() else page_number + 1
                self.add(link.href, 0, number, depth)
            elif link.href in item_hrefs:
                if self.items_queued < _ITEM_PAGES and address(link.href) not in self.known:
                    self.items_queued += 1
                    self.add(link.href, 3, 1, depth)
            else:
                self.add(link.href, 1 if _FORM_WAYS.search(text) else 2, 1, depth)

    def pop(self) -> tuple[str, int] | None:
        if not self.queue:
            return None
        _, _, href, page_number = heapq.heappop(self.queue)
        return href, page_number


async def _scout(url: str, max_pages: int, headers: dict[str, str] | None,
                 settings: BrowserSettings) -> ScoutInventory:
    frontier = _Frontier(url)
    reads: list[tuple[PageRead, int]] = []
    async with async_playwright() as pw:
        browser = await launch(pw, settings)
        try:
            context = await browser.new_context(proxy=origin_proxy(url), extra_http_headers=headers)
            offsite: dict[str, None] = {}  # in the order first asked for
            context.on("requestfailed", lambda r: r.resource_type in _DATA_REQUESTS and is_blocked(r.failure)
                       and offsite.setdefault(r.url))
            page = await context.new_page()
            network = NetworkWatch(page)
            seen: set[str] = set()
            shown: set[tuple[str, str]] = set()  # one page under two addresses (/ and /?page=1) is one page
            while len(reads) < max_pages and (nxt := frontier.pop()) is not None:
                href, page_number = nxt
                try:
                    read = await read_page(page, network, href, frontier.depth[href])
                except PlaywrightError:
                    if not reads and href == url:
                        raise  # the start page itself: nothing to scout
                    continue  # one page that cannot be opened is not the scout's failure
                # A redirect can land on a page already read (/ -> /index.html, /account -> /login).
                if read is None or address(read.view.url) in seen or (read.view.title, read.view.text) in shown:
                    continue
                seen.add(address(read.view.url))
                for one, number in [(read, page_number), *await _page_through(page, network, read, page_number,
                                                                               max_pages - len(reads) - 1)]:
                    shown.add((one.view.title, one.view.text))
                    reads.append((one, number))
                    frontier.follow(one, number)
            inventory = _inventory(url, reads).model_copy(update={"offsite_data": list(offsite)[:_OFFSITE_KEPT]})
            try:
                probe = await _probe_search(page, network, inventory)
            except PlaywrightError as exc:
                probe = f"the search box could not be used: {str(exc).splitlines()[0]}"
        finally:
            await browser.close()
    return inventory.model_copy(update={"controls": inventory.controls.model_copy(update={"search_probe": probe})})


def _inventory(url: str, reads: list[tuple[PageRead, int]]) -> ScoutInventory:
    origin = origin_of(url)
    # A listing lists several items; a link with a price beside it that leads back to a listing
    # ("Back to products" on an item page) is navigation, not an item.
    listings: list[ListingInfo] = []
    for _ in range(2):  # the pages found to be listings are navigation in the second pass
        navigation_urls = {address(url)} | {address(listing.url) for listing in listings}
        listings = []
        for read, number in reads:
            # Priced items (a shop), else the entries of a content listing (posts, recipes).
            raw = read.view.items if len(read.view.items) >= 2 else read.entries
            here = navigation_urls | {address(read.view.url)}  # a link to the page itself is no entry
            items = [_item(i, number, read.view.url) for i in raw if address(i.href) not in here]
            if len(items) >= 2:
                listings.append(ListingInfo(url=read.view.url, page=number, items=items))
    listings = _with_categories(listings)
    first = reads[0][0].view if reads else PageView(url=url)
    item_hrefs = {i.href for listing in listings for i in listing.items}
    navigation: dict[str, PageLink] = {}
    links_seen: dict[tuple[str, str], PageLink] = {}
    for read, _ in reads:
        for link in read.view.links:
            if origin_of(link.href) == origin and link.text and link.href not in item_hrefs:
                links_seen.setdefault((link.text, link.href), PageLink(text=link.text, href=link.href))
                if read.view is first:
                    navigation.setdefault(link.href, PageLink(text=link.text, href=link.href))
    controls = Controls(
        search=[r.view.url for r, _ in reads if r.view.search_input() is not None],
        filters=_unique(f for r, _ in reads for f in r.filters),
        sort=_unique(s for r, _ in reads for s in r.sort),
    )
    return ScoutInventory(
        url=url,
        title=first.title,
        text_sample=first.text[:1000],
        pages=[r.info for r, _ in reads],
        navigation=list(navigation.values())[:30],
        forms=_distinct_forms([f for r, _ in reads for f in r.forms]),
        listings=listings,
        controls=controls,
        links_seen=list(links_seen.values())[:120],
    )


async def _page_through(
    page: Page, network: NetworkWatch, read: PageRead, number: int, budget: int
) -> list[tuple[PageRead, int]]:
    """A listing paged by a button (no link to follow, as in many single-page apps): click it and read on."""
    out: list[tuple[PageRead, int]] = []
    current = read
    while len(out) < budget and _listed(current) and current.view.next_link() is None:
        button = current.view.button(_NEXT_BUTTON.pattern)
        if button is None:
            break
        try:
            await page.locator(selector(button)).first.click(timeout=5000)
            after = await read_current(page, network, read.info.depth)
        except PlaywrightError:
            break  # a button that went away or never answered: the listing ends here for the scout
        if _listed(after) <= _listed(current):
            break  # nothing new: the last page, or a button that does not page
        out.append((after, number + len(out) + 1))
        current = after
    return out


def _listed(read: PageRead) -> set[str]:
    """The links a page lists: its priced items, else its content entries."""
    return {i.href for i in (read.view.items if len(read.view.items) >= 2 else read.entries)}


def _item(raw: Item, page_number: int, found_on: str) -> ItemInfo:
    return ItemInfo(name=raw.name, href=raw.href, price=raw.price, text=raw.text,
                    page=page_number, found_on=found_on)


def _with_categories(listings: list[ListingInfo]) -> list[ListingInfo]:
    """An item's category: a short label beside its name and price that several items share, not all."""
    def label(item: ItemInfo) -> str:
        # The words right after the name, up to a number, a price or a separator ("Curries 40 min").
        rest = item.text.replace(item.name, " ", 1)
        match = re.match(r"\s*([A-Za-z][A-Za-z&' ]{1,29}?)\s*(?=[·|,–\d$€£]|-\s|$)", rest)
        return match.group(1) if match and len(match.group(1).split()) <= 3 else ""

    items = [i for listing in listings for i in listing.items]
    labels = [label(i) for i in items]
    counts = {x: labels.count(x) for x in set(labels) if x}
    shared = {x for x, n in counts.items() if n >= 2 and n < len(items)}
    if len(shared) < 2:
        return listings
    return [
        listing.model_copy(update={"items": [
            i.model_copy(update={"category": label(i) if label(i) in shared else ""}) for i in listing.items
        ]})
        for listing in listings
    ]


def _distinct_forms(forms: list[FormInfo]) -> list[FormInfo]:
    """A form every page repeats (a header search, a newsletter box) once, where it was first seen."""
    seen: dict[tuple[str, str, tuple[str, ...]], FormInfo] = {}
    for form in forms:
        seen.setdefault((form.action.split("?")[0], form.purpose, tuple(f.name for f in form.fields)), form)
    return list(seen.values())


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))[:20]


async def _probe_search(page: Page, network: NetworkWatch, inventory: ScoutInventory) -> str:
    """Search the app's own search box for a listed item: does the app's search find what it lists?"""
    items = inventory.items
    if not inventory.controls.search or not items:
        return ""
    name = items[-1].name
    await page.goto(inventory.controls.search[0], wait_until="load")
    await wait_until_ready(page, network, READY_TIMEOUT_S)
    before = await read_view(page)
    box = before.search_input()
    if box is None:
        return ""
    await page.locator(selector(box)).first.fill(name, timeout=5000)
    await page.locator(selector(box)).first.press("Enter", timeout=5000)
    await wait_until_ready(page, network, READY_TIMEOUT_S)
    after = await read_view(page)
    if after.find_item(name) is None:
        return f"searching for '{name}' did not show it"
    if after.url == before.url and len(after.items) >= len(before.items) and after.text == before.text:
        return f"searching for '{name}' changed nothing on the page"
    return f"searching for '{name}' showed it"
