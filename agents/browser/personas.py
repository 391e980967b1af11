"""Simulated users: deterministic policies with a seeded RNG, acting only through what a page offers.

- searcher: types the item into a search / filter box when the page has one, else browses like a scanner.
- category_navigator: picks the item's category from a select, filter button or category link when
  offered, else scans.
- scanner: reads listing pages in order and follows "next".
- impatient: uses a search box when there is one, else scans; gives up after 4-5 actions in all.
Each persona sometimes opens a wrong item first (curiosity, seeded) and has to come back.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from agents.browser.actor import Actor, page_key
from agents.browser.page_view import Item, Link, PageView, changes_state, normalise

PERSONAS = ("searcher", "category_navigator", "scanner", "impatient")
_NEXT_BUTTON = r"^(next|more|load more|show more|older)\b|next page|^[›»→]$"


@dataclass(frozen=True)
class Persona:
    name: str
    budget: int  # actions before giving up
    curiosity: float  # chance of opening a wrong item on a listing page

    @classmethod
    def make(cls, name: str, rng: random.Random, max_steps: int) -> Persona:
        if name not in PERSONAS:
            raise ValueError(f"unknown persona {name!r}; choose one of {', '.join(PERSONAS)}")
        if name == "impatient":
            # What an impatient visitor really spends: a search (type, submit, open, add) fits, paging far does not.
            return cls(name, budget=rng.randint(4, 5), curiosity=0.0)
        return cls(name, budget=max_steps, curiosity=rng.choice((0.0, 0.1, 0.2)))


@dataclass
class Outcome:
    success: bool
    reason: str
    issues: list[str] = field(default_factory=list)


def where(view: PageView) -> str:
    match = re.search(r"page\s+(\d+)\s+of\s+(\d+)", view.text, re.IGNORECASE)
    return f"page {match.group(1)} of {match.group(2)}" if match else view.url


async def find_item(
    actor: Actor,
    persona: Persona,
    rng: random.Random,
    name: str,
    category: str | None,
    add_to_cart: bool = True,
) -> Outcome:
    view = await actor.start()
    tried_search = tried_category = False
    searched_without_match = False
    while actor.n_actions < persona.budget:
        item = view.find_item(name)
        if item:
            return await _open_and_add(actor, persona, view, item, name, add_to_cart)
        if persona.name in ("searcher", "impatient") and not tried_search and (box := view.search_input()):
            tried_search = True
            await actor.fill(box, name if rng.random() < 0.5 else " ".join(name.split()[:2]))
            view = await actor.press_enter(box)
            # Results may still be loading (a catalogue fetched on first use): look again, without an
            # action, as a user gives them a moment, for up to about 2 s.
            for _ in range(4):
                if view.find_item(name) is not None:
                    break
                view = await actor.view(wait_ms=500)
            searched_without_match = view.find_item(name) is None
            continue
        if persona.name == "category_navigator" and not tried_category and category:
            tried_category = True
            picked = await _pick_category(actor, view, category)
            if picked is not None:
                view = picked
                continue
        if view.items and rng.random() < persona.curiosity:
            wrong = rng.choice(view.items)
            if normalise(wrong.name) != normalise(name):
                await actor.click(wrong, "open")
                view = await actor.back()
                continue
        nxt = view.next_link()
        if nxt is None and view.items:  # a listing paged in place by a button (many single-page apps)
            nxt = view.button(_NEXT_BUTTON)
        if nxt is None or (isinstance(nxt, Link) and actor.has_seen(nxt.href)):
            actor.dead_ends += 1
            hint = " (the search box found no match)" if searched_without_match else ""
            return Outcome(
                False,
                f"reached the end of the listing at {where(view)} after {actor.n_actions} "
                f"actions without finding '{name}'{hint}",
            )
        view = await actor.click(nxt, "next")
    return Outcome(
        False, f"gave up after {actor.n_actions} actions on {where(view)} without finding '{name}'"
    )


async def _pick_category(actor: Actor, view: PageView, category: str) -> PageView | None:
    wanted = normalise(category)
    for field_ in view.inputs:
        for option in field_.options:
            if normalise(option.text) == wanted or normalise(option.value) == wanted:
                return await actor.select(field_, option.value)
    for button in view.buttons:
        if normalise(button.text) == wanted:
            return await actor.click(button, "filter")
    for link in view.links:
        if normalise(link.text) == wanted:
            return await actor.click(link, "category")
    return None


def _out_of_patience(actor: Actor, persona: Persona, name: str, view: PageView) -> Outcome | None:
    if actor.n_actions < persona.budget:
        return None
    return Outcome(
        False, f"gave up after {actor.n_actions} actions on {where(view)} without adding '{name}' to the cart"
    )

# A confirmation names the item or says it was added to the cart/basket/bag; a generic "Saved" without
# either could be anything on the page.
_CONFIRMS = re.compile(r"\b(added|done|saved|success(fully)?)\b|in your (cart|basket|bag)|\u2713", re.IGNORECASE)
_ADDED = re.compile(r"\b(added to|in) (your |the )?(cart|basket|bag)\b", re.IGNORECASE)


async def _open_and_add(
    actor: Actor, persona: Persona, view: PageView, item: Item | Link, name: str, add_to_cart: bool
) -> Outcome:
    """Open the item and add it; the budget counts these actions too (a visitor's patience is for everything)."""
    if tired := _out_of_patience(actor, persona, name, view):
        return tired
    view = await actor.click(item, "open")
    if not any(normalise(name) in normalise(h) for h in view.headings + [view.title]):
        return Outcome(False, f"clicked '{name}' but the page that opened ({view.url}) does not show it")
    if not add_to_cart:
        return Outcome(True, f"found '{name}' at {view.url}")
    button = view.button(r"add to (cart|bag|basket)|buy")
    if button is None:
        return Outcome(False, f"reached '{name}' but its page offers no add-to-cart button")
    if tired := _out_of_patience(actor, persona, name, view):
        return tired
    before, seen = view.cart_count(), set(view.alerts)
    view = await actor.click(button, "add_to_cart")
    after = view.cart_count()
    if before is not None and after is not None and after > before:
        return Outcome(True, f"added '{name}' to the cart (cart count {before} -> {after})")
    # A message that appears and says so is what a visitor believes, count or no count.
    said = next((a for a in view.alerts if a not in seen and _CONFIRMS.search(a)
                 and (normalise(name) in normalise(a) or _ADDED.search(a))), None)
    if said is not None:
        return Outcome(True, f"added '{name}' to the cart (the page said: '{said[:80]}')")
    cart = view.link(r"\b(cart|basket|bag)\b")
    if cart is not None and actor.n_actions < persona.budget:
        view = await actor.click(cart, "open_cart")
        if normalise(name) in normalise(view.text):
            return Outcome(True, f"added '{name}' to the cart (shown on the cart page)")
    return Outcome(False, f"clicked add-to-cart for '{name}' but the cart did not show it")


async def explore(actor: Actor, persona: Persona, rng: random.Random, max_pages: int) -> Outcome:
    view = await actor.start()
    tried: set[str] = set()  # links already followed: a link that led nowhere is not clicked again

    def fresh(links: list[Link]) -> list[Link]:
        return [
            link
            for link in links
            if not actor.has_seen(link.href)
            and link.href not in tried
            and link.href.startswith(actor.origin)
            and not changes_state(link.href, link.text)
        ]

    while len(actor.visited) < max_pages and actor.n_actions < persona.budget:
        options = fresh(view.links)
        if not options:
            # Nothing new from here: go back, as far as it takes, to a page that offers something new.
            actor.dead_ends += 1
            at_start = page_key(view.url) == actor.visited[0]
            if at_start or actor.n_actions + 1 >= persona.budget:
                break
            view = await actor.back()
            continue
        choice = rng.choice(options)
        tried.add(choice.href)
        view = await actor.click(choice, "explore")
    if len(actor.visited) >= max_pages <= 1:
        # Opening the site is all a one-page exploration asks (TaskSpec.measures_nothing): it succeeds
        # in 0 actions, whatever a variant does.
        return Outcome(True, "visited the start page only: a one-page exploration measures nothing")
    if len(actor.visited) >= max_pages:
        return Outcome(True, f"visited {len(actor.visited)} pages")
    return Outcome(
        False,
        f"reached only {len(actor.visited)} of {max_pages} pages after {actor.n_actions} "
        f"actions (no unvisited links left on {view.url})",
    )
