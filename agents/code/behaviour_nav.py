"""Behavioural checks of the navigation recipes: breadcrumbs, back to results, persistent navigation.

A trail must take a visitor up a level; a link back must bring back the results as they were left
(the same address, the same items shown, what was typed still there); the navigation must be
usable at the bottom of a long page without scrolling back up.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from playwright.async_api import Page

from agents.code.behaviour_kit import Attempt, core, follow, page_js, steady

if TYPE_CHECKING:
    from agents.code.behaviour import Verdict

BEHAVIOURS: dict[str, str] = {
    "breadcrumbs": "on a detail page, read where it sits (a trail from the home page) and go up a level with it",
    "back_to_results": "narrow a listing, open one of its items, and come back with one link to the same results, "
                       "the search still in place",
    "sticky_nav": "scroll to the bottom of a long page and go elsewhere with the main navigation, without scrolling "
                  "back up",
}

# A detail page (not the home page, not a section the navigation lists, titled by a heading) and, if
# it has one, its trail: a labelled breadcrumb, or a list ending at this page (aria-current).
TRAIL_JS = page_js(r"""
() => {
  function path(u) { return new URL(u, location.href).pathname.replace(/\/index\.\w+$/, "/"); }
  var here = path(location.href);
  var sections = Array.from(document.querySelectorAll("nav a[href], header a[href], [role=navigation] a[href]"))
    .filter(function (a) { return !/breadcrumb|you are here/i.test((a.closest("nav, [role=navigation], header") || a).getAttribute("aria-label") || ""); })
    .map(function (a) { return path(a.href); });
  var h1 = Array.from(document.querySelectorAll("h1")).filter(vlVisible)[0];
  if (here === "/" || sections.indexOf(here) !== -1 || !h1) return null;
  var trails = Array.from(document.querySelectorAll(
      "[aria-label*=breadcrumb i], [class*=breadcrumb i], [id*=breadcrumb i], ol:has([aria-current=page])"))
    .filter(function (t) { return vlVisible(t) && t.getBoundingClientRect().top < innerHeight; });
  for (var i = 0; i < trails.length; i++) {
    var up = Array.from(trails[i].querySelectorAll("a[href]")).filter(function (a) {
      return vlVisible(a) && new URL(a.href).origin === location.origin && path(a.href) !== here;
    });
    if (up.length) {
      up[up.length - 1].setAttribute("data-vl-check", "up");
      return { trail: vlSay(trails[i]).slice(0, 100), up: vlSay(up[up.length - 1]).slice(0, 40) };
    }
  }
  return { trail: null };
}
""")


async def _breadcrumbs(page: Page) -> Verdict | None:
    Verdict = core().Verdict
    found = None
    for _ in range(10):  # a trail a module adds once the page is ready
        found = await page.evaluate(TRAIL_JS)
        if not found or found["trail"]:
            break
        await page.wait_for_timeout(100)
    if not found:
        return None
    here = page.url
    if not found["trail"]:
        return Verdict(False, f"{here}: a detail page with no trail of where it sits")
    url, status, _ = await follow(page, page.locator("[data-vl-check=up]").first.click)
    if url == here or (status is not None and status >= 400):
        return Verdict(False, f"{here}: the trail {found['trail']!r} is there, but {found['up']!r} did not open a page"
                              + (f" (HTTP {status})" if status else ""))
    return Verdict(True, f"{here}: trail {found['trail']!r}; {found['up']!r} went up to {url}")


# The results as a visitor sees them: the links of the listing's visible items, and of the hidden ones.
RESULTS_JS = page_js(r"""
() => {
  var c = window.__vlCheck;
  function links(items) {
    return Array.from(new Set([].concat.apply([], items.map(function (it) {
      return Array.from(it.querySelectorAll("a[href]")).map(function (a) { return a.href.split("#")[0]; });
    }))));
  }
  var shown = c.items.filter(vlVisible), hidden = c.items.filter(function (it) { return !vlVisible(it); });
  var open = null;
  shown.some(function (it) {
    var a = Array.from(it.querySelectorAll("a[href]")).filter(function (l) {
      return vlVisible(l) && new URL(l.href).origin === location.origin && l.href.split("#")[0] !== location.href.split("#")[0];
    })[0];
    if (a) { a.setAttribute("data-vl-check", "item"); open = vlSay(a).slice(0, 60); }
    return !!a;
  });
  return { shown: links(shown), hidden: links(hidden), open: open };
}
""")
# The listing's next page, as a pager offers it (not the site's header): results a visitor paged to.
NEXT_PAGE_JS = page_js(r"""
() => {
  var NEXT = /^(next( page)?|older( posts| entries)?|more|2)\b|^[\u203a\u00bb\u2192>]+$/i;
  var link = Array.from(document.querySelectorAll("a[href]")).filter(function (a) {
    return vlVisible(a) && !a.closest("header, footer") && new URL(a.href).origin === location.origin
      && a.href.split("#")[0] !== location.href.split("#")[0]
      && (/\bnext\b/i.test(a.getAttribute("rel") || "") || NEXT.test(vlSay(a)) || NEXT.test(a.getAttribute("aria-label") || ""));
  })[0];
  return link ? link.href : null;
}
""")
VISIBLE_LINKS_JS = page_js(r"""
() => Array.from(document.querySelectorAll("a[href]")).filter(vlVisible).map(function (a) { return a.href.split("#")[0]; })
""")
BACK_JS = page_js(r"""
(listing) => {
  var BACK = /\b(back|return)\b|\bresults\b|^[\u2039\u2190<]/i;
  var link = Array.from(document.querySelectorAll("a[href]")).filter(function (a) {
    return vlVisible(a) && BACK.test(vlSay(a)) && a.href.split("#")[0] === listing;
  })[0] || Array.from(document.querySelectorAll("a[href], button")).filter(function (a) {
    return vlVisible(a) && BACK.test(vlSay(a)) && !a.closest("footer");
  })[0];
  if (!link) return null;
  link.setAttribute("data-vl-check", "back");
  return vlSay(link).slice(0, 60);
}
""")


async def _back_to_results(page: Page) -> Verdict | None:
    """A visitor who did the whole round and could not get back to their results is a failure no other
    page undoes (decisive)."""
    Verdict = core().Verdict
    listing = await core()._listing(page)
    if not listing:
        return None
    query = None
    boxes = page.locator(core().SEARCH_BOX)
    if listing["query"] and await boxes.count():
        await boxes.first.fill(listing["query"])
        narrowed = await core()._narrowed_to(page, listing["query"], listing["items"], "searched")
        query = listing["query"] if narrowed.passed else None  # a search sent to a server is another listing
        if query is None:
            await boxes.first.fill("")
    later = None
    if query is None:
        # Without a search, the results a visitor leaves are the page of the listing they paged to: a
        # link to the first page would not bring those back.
        later = await page.evaluate(NEXT_PAGE_JS)
        if later:
            await page.goto(later, wait_until="load")
            await steady(page)
            listing = await core()._listing(page)
            if not listing:
                return None
    results = await page.evaluate(RESULTS_JS)
    if not results["open"]:
        return None
    at = page.url.split("#")[0]
    item, _, _ = await follow(page, page.locator("[data-vl-check=item]").first.click)
    if _page_of(item) == _page_of(at):
        return None  # its items do not open pages of their own
    label = None
    for _ in range(10):
        label = await page.evaluate(BACK_JS, at)
        if label:
            break
        await page.wait_for_timeout(100)
    searched = f"searched {query!r}, " if query else (f"paged to {later}, " if later else "")
    if not label:
        return Verdict(False, f"{at}: {searched}opened {results['open']!r}: its page has no link back to the results",
                       decisive=True)
    back, _, _ = await follow(page, page.locator("[data-vl-check=back]").first.click)
    if _page_of(back) != _page_of(at):
        return Verdict(False, f"{at}: {searched}opened {results['open']!r}; {label!r} led to {back}, not to the results",
                       decisive=True)
    visible: set[str] = set()
    for _ in range(30):  # a listing rendered again, and the search typed in again
        visible = set(await page.evaluate(VISIBLE_LINKS_JS))
        if set(results["shown"]) <= visible and not set(results["hidden"]) & visible:
            return Verdict(True, f"{at}: {searched}opened {results['open']!r}; {label!r} brought back the same "
                                 f"{len(results['shown'])} result(s)")
        await page.wait_for_timeout(100)
    missing = len(set(results["shown"]) - visible)
    extra = len(set(results["hidden"]) & visible)
    return Verdict(False, f"{at}: {searched}opened {results['open']!r}; {label!r} came back to the listing but not to "
                          f"the results ({missing} missing, {extra} that the search had hidden shown again)", decisive=True)


def _page_of(url: str) -> tuple[str, str, str]:
    """What a URL shows: "/" and "/index.html" are one page; the query is part of it, the fragment is not."""
    parts = urlsplit(url)
    return parts.netloc, re.sub(r"/index\.\w+$", "/", parts.path) or "/", parts.query


# The main navigation's links, and (after scrolling) which of them a visitor can see and click.
NAV_JS = page_js(r"""
() => {
  var bars = Array.from(document.querySelectorAll("nav, [role=navigation], header, [role=banner]")).filter(function (el) {
    return vlVisible(el) && !el.closest("footer, [role=contentinfo]")
      && !/breadcrumb/i.test((el.getAttribute("aria-label") || "") + " " + el.className);
  });
  for (var i = 0; i < bars.length; i++) {
    var links = Array.from(bars[i].querySelectorAll("a[href]")).filter(vlVisible);
    if (links.length >= 2) {
      links.forEach(function (a, k) { a.setAttribute("data-vl-check-nav", String(k)); });
      return links.length;
    }
  }
  return 0;
}
""")
REACHABLE_JS = page_js(r"""
() => Array.from(document.querySelectorAll("[data-vl-check-nav]")).map(function (a) {
  var r = a.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
  var hit = r.width > 0 && y >= 0 && y < innerHeight && x >= 0 && x < innerWidth ? document.elementFromPoint(x, y) : null;
  return { text: vlSay(a).slice(0, 40), x: x, y: y, ok: !!hit && (hit === a || a.contains(hit)),
           away: a.pathname.replace(/\/index\.\w+$/, "/") !== location.pathname.replace(/\/index\.\w+$/, "/") };
})
""")


async def _sticky_nav(page: Page) -> Verdict | None:
    Verdict = core().Verdict
    if not await page.evaluate(NAV_JS):
        return None
    await page.set_viewport_size({"width": 1280, "height": 480})
    if not await page.evaluate("document.documentElement.scrollHeight > innerHeight * 1.5"):
        return None  # nothing to scroll past on this page
    await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    await page.wait_for_timeout(200)
    links = await page.evaluate(REACHABLE_JS)
    usable = [link for link in links if link["ok"] and link["away"]]
    if not usable:
        return Verdict(False, f"{page.url}: at the bottom of the page none of the {len(links)} navigation links is on "
                              "screen")
    here = page.url
    target = usable[0]
    # A mouse click where the link is on screen: clicking the element would scroll it into view first.
    url, status, _ = await follow(page, lambda: page.mouse.click(target["x"], target["y"]))
    if url == here or (status is not None and status >= 400):
        return Verdict(False, f"{here}: at the bottom, {target['text']!r} is on screen but clicking it opened nothing")
    return Verdict(True, f"{here}: at the bottom of the page {len(usable)} navigation link(s) on screen; "
                         f"{target['text']!r} opened {url}")


ATTEMPTS: dict[str, tuple[Attempt, re.Pattern[str] | None]] = {
    "breadcrumbs": (_breadcrumbs, re.compile(r"[\w-]/[\w-]")),  # links into a folder: detail pages first
    "back_to_results": (_back_to_results, re.compile(r"shop|product|catalog|browse|all|search|results|list|items",
                                                     re.IGNORECASE)),
    "sticky_nav": (_sticky_nav, None),
}
