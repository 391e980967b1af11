"""Behavioural goal checks: a user in Chromium does what the change promised, on the run's preview.

Each recipe states what a user must be able to do afterwards (BEHAVIOURS); the check does it on the
rendered app, whatever rendered it, and reports what it saw. Markup alone never passes: a search box
must be visible and narrow the listing when typed in, an error must appear next to the wrong field,
a confirmation must appear after the action.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from playwright.async_api import BrowserContext, Locator, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from agents.code.browser import SHARED
from agents.code.shadow_dom import shadow_walk_js
from settings import BrowserSettings

BEHAVIOURS: dict[str, str] = {
    "search": "type a word from one listed item into a visible search box and see the listing narrow to the "
              "items that contain it (on a paginated listing, an item from a later page, shown with its link)",
    "inline_validation": "enter a wrong value (an invalid email, a too-short password) and see an error "
                         "message appear next to that field",
    "password_hint": "see the password rule stated next to the sign-up form's password field before typing",
    "confirmation": "press an action button (add, save, post) and see a confirmation appear",
    "primary_action": "see the app's create control (new post, new item) as a visible button that says what it "
                      "does, and open the create page with it",
    "category_filter": "choose a category and see only that category's items",
    "sort": "choose to sort by price, lowest first, and see the items in that order",
    "result_count": "read how many items are shown, and see the number match what is listed",
    "sticky_cart": "scroll to the bottom of a long page and still see the cart",
    "lang": "have a screen reader read each page in its own language (the page states it)",
    "alt_text": "hear what each image shows (every image has a text alternative)",
    "input_labels": "hear what each form field is for (every field has an accessible name)",
    "button_names": "hear what each button does (every button, icon-only ones too, has an accessible name)",
}
MAX_PAGES = 6
CHECK_TIMEOUT_S = 60.0

HELPERS_JS = """
function vlVisible(el) {
  if (!el || !el.isConnected) return false;
  var style = getComputedStyle(el);
  return el.getClientRects().length > 0 && style.visibility !== "hidden" && style.display !== "none";
}
// Open shadow roots (web components) hold content a visitor sees like any other: these walk into them.
function vlUp(el) { return el.parentElement || (el.parentNode && el.parentNode.host) || null; }
function vlClosest(el, selector) { for (var n = el; n; n = vlUp(n)) if (n.matches(selector)) return n; return null; }
""" + shadow_walk_js("vlAll", "vlFind") + """\
// What a visitor reads in an element. innerText stops at a shadow root and at a slot, so an element
// holding one is read through the tree as rendered: slots filled, what is not displayed left out.
function vlComposed(el) { return [el].concat(vlAll(el)).some(function (d) { return d.shadowRoot || d.tagName === "SLOT"; }); }
function vlRead(el) {
  if (!vlComposed(el)) return el.innerText || "";
  function flat(node) {
    if (node.nodeType === 3) return node.textContent;
    if (node.nodeType !== 1 || /^(SCRIPT|STYLE|TEMPLATE)$/.test(node.tagName)) return "";
    var style = getComputedStyle(node);
    if (style.display === "none") return "";
    var slotted = node.tagName === "SLOT" ? node.assignedNodes({ flatten: true }) : [];
    var kids = node.shadowRoot ? node.shadowRoot.childNodes : slotted.length ? slotted : node.childNodes;
    var inner = Array.from(kids).map(flat).join("");
    return /^inline|^contents$/.test(style.display) ? inner : "\\n" + inner + "\\n";
  }
  return flat(el).replace(/[ \\t]*\\n[ \\t\\n]*/g, "\\n").trim();
}
function vlText(el) {
  var tagged = vlAll(el).filter(function (d) { return d.hasAttribute("data-category"); }).concat(el.hasAttribute("data-category") ? [el] : []);
  return vlRead(el) + " " + tagged.map(function (t) { return t.getAttribute("data-category"); }).join(" ");
}
function vlNorm(t) { return (t || "").toLowerCase().normalize("NFKD").replace(/[\\u0300-\\u036f]/g, "").replace(/\\s+/g, " ").trim(); }
"""



def _with_helpers(function: str) -> str:
    """A page function that can call the helpers (Playwright calls what the expression evaluates to)."""
    return f"(() => {{ {HELPERS_JS} return ({function.strip()}); }})()"


# The listing as a user sees it: the visible group of same-shaped siblings with the most content.
LISTING_JS = _with_helpers("""
() => {
  function sig(el) { return el.tagName + "." + Array.from(el.classList).sort().join("."); }
  var best = null, bestScore = 0;
  vlAll(document.body).forEach(function (parent) {
    if (parent.children.length < 3 || vlClosest(parent, "nav, header, footer, select, form, svg")) return;
    var groups = {};
    Array.from(parent.children).forEach(function (c) {
      if (!vlVisible(c) || /^(SCRIPT|STYLE|TEMPLATE|OPTION|INPUT|LABEL|BR|HR)$/.test(c.tagName)) return;
      (groups[sig(c)] = groups[sig(c)] || []).push(c);
    });
    Object.keys(groups).forEach(function (key) {
      var items = groups[key], score = 0;
      if (items.length < 3) return;
      var ok = items.every(function (it) {
        var text = vlRead(it).trim();
        score += Math.min(text.length, 200);
        return text && (it.tagName === "A" || vlFind(it, "a[href], h1, h2, h3, h4, h5, h6, img, button"));
      });
      if (ok && score > bestScore) { bestScore = score; best = { container: parent, key: key, items: items }; }
    });
  });
  if (!best) return null;
  // The query: the rarest word (4+ letters) of one item's title, so it narrows the listing.
  var df = {};
  var words = best.items.map(function (it) {
    var title = vlFind(it, "h1, h2, h3, h4, h5, h6, a[href]") || it;
    var own = Array.from(new Set((vlNorm(vlRead(title)).match(/[a-z]{4,}/g) || [])));
    own.forEach(function (w) { df[w] = 0; });
    return own;
  });
  Object.keys(df).forEach(function (w) {
    df[w] = best.items.filter(function (it) { return vlNorm(vlText(it)).indexOf(w) !== -1; }).length;
  });
  var query = null;
  words.forEach(function (own) { own.forEach(function (w) {
    if (df[w] < best.items.length && (!query || df[w] < df[query] || (df[w] === df[query] && w.length > query.length))) query = w;
  }); });
  window.__vlCheck = { container: best.container, key: best.key, items: best.items, query: query };
  return { items: best.items.length, query: query };
}
""")

NARROWED_JS = _with_helpers("""
() => {
  var c = window.__vlCheck, q = c.query;
  var shown = Array.from(c.container.children).filter(function (el) {
    return vlVisible(el) && !vlClosest(el, "[role=search]") && el.tagName !== "INPUT" && vlFind(el, "a, h1, h2, h3, h4, h5, h6, img, button") !== null;
  });
  var matching = shown.filter(function (el) { return vlNorm(vlText(el)).indexOf(q) !== -1; });
  var gone = c.items.filter(function (el) { return vlNorm(vlText(el)).indexOf(q) === -1 && !vlVisible(el); });
  var others = c.items.filter(function (el) { return vlNorm(vlText(el)).indexOf(q) === -1; });
  return { shown: shown.length, matching: matching.length, hidden_others: gone.length, others: others.length };
}
""")

# Words of a control that shows a listing's next page, as pagers put them.
NEXT_WORDS = r"^(next( page)?|older( posts| entries)?|(show |load )?more( results| items| posts)?|[›»→>]+)$|^next\b|\bnext\s*(page)?\s*[›»→>]*$"

# The listing's next control (beside it, not in the header, not inside an item); with `mark`, marked
# for a click (only in a page of the check's own: the page being checked is left as a visitor found it).
PAGER_JS = _with_helpers("""
({pattern, mark}) => {
  var c = window.__vlCheck, next = new RegExp(pattern, "i");
  function inItem(el) { for (var n = el; n; n = vlUp(n)) if (c.items.indexOf(n) !== -1) return true; return false; }
  for (var el = vlUp(c.container), up = 0; el && up < 4; el = vlUp(el), up++) {
    var all = vlAll(el).filter(function (d) { return d.matches("a[href], button, [role=button], input[type=button], input[type=submit]"); });
    for (var i = 0; i < all.length; i++) {
      var a = all[i], text = (vlRead(a) || a.value || "").replace(/\\s+/g, " ").trim();
      var posts = a.form && a.tagName !== "A" && a.type === "submit" && /^post$/i.test(a.form.getAttribute("method") || "");
      if (!vlVisible(a) || a.disabled || posts || vlClosest(a, "header, [role=search]") || inItem(a)) continue;
      if (next.test(text) || next.test((a.getAttribute("aria-label") || "").trim()) || /\\bnext\\b/i.test(a.getAttribute("rel") || "")) {
        if (mark) a.setAttribute("data-vl-check-next", "");
        return { href: a.tagName === "A" ? a.href : null, text: text || a.getAttribute("aria-label") };
      }
    }
  }
  return null;
}
""")

# On a later page, its items found by the first page's shapes (a last page may hold one or two), and
# the item whose title has a word (4+ letters) that no first-page item has, rarest first. The page is
# the one shown, or `html`: a later page's document as its server sent it, parsed and never rendered.
LATER_JS = _with_helpers("""
({first, key, shape, html}) => {
  function sig(el) { return el.tagName + "." + Array.from(el.classList).sort().join("."); }
  var doc = html == null ? document : new DOMParser().parseFromString(html, "text/html");
  // Unrendered markup has no innerText (it would be textContent, "<b>Red</b>Kite" read as "redkite"):
  // its text nodes are read apart, leaving out what a browser never shows.
  function read(el) {
    if (html == null) return vlRead(el);
    var out = [], walk = doc.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (var n = walk.nextNode(); n; n = walk.nextNode()) {
      if (!n.parentElement.closest("script, style, template, noscript, [hidden]")) out.push(n.textContent);
    }
    return out.join(" ");
  }
  function text(el) {
    if (html == null) return vlText(el);
    var tagged = Array.from(el.querySelectorAll("[data-category]")).concat(el.hasAttribute("data-category") ? [el] : []);
    return read(el) + " " + tagged.map(function (t) { return t.getAttribute("data-category"); }).join(" ");
  }
  var items = vlAll(doc.body).filter(function (el) {
    return sig(el) === key && el.parentElement && sig(el.parentElement) === shape && !vlClosest(el, "nav, header, footer");
  });
  var texts = items.map(function (it) { return vlNorm(text(it)); }), best = null;
  items.forEach(function (it) {
    var title = vlNorm(read(vlFind(it, "h1, h2, h3, h4, h5, h6, a[href]") || it));
    (title.match(/[a-z]{4,}/g) || []).forEach(function (w) {
      if (first.some(function (t) { return t.indexOf(w) !== -1; })) return;
      var n = texts.filter(function (t) { return t.indexOf(w) !== -1; }).length;
      if (!best || n < best.n || (n === best.n && w.length > best.query.length)) best = { query: w, title: title, n: n };
    });
  });
  return { texts: texts, best: best };
}
""")

# A same-origin document's HTML, as a link to it would load it; null for an error or anything not HTML.
FETCH_HTML_JS = """
(href) => fetch(href, { credentials: "same-origin" }).then(function (res) {
  return res.ok && /html/i.test(res.headers.get("content-type") || "") ? res.text() : null;
})
"""

# What a search shows: the listing's items and any item of the same shape in a container of the same
# shape (results from other pages, wherever the module put them).
FOUND_JS = _with_helpers("""
(q) => {
  var c = window.__vlCheck;
  function sig(el) { return el.tagName + "." + Array.from(el.classList).sort().join("."); }
  var shape = sig(c.container);
  var shown = vlAll(document.body).filter(function (el) {
    return (el.parentElement === c.container || (sig(el) === c.key && el.parentElement && sig(el.parentElement) === shape))
      && vlVisible(el) && !vlClosest(el, "[role=search], nav, header, footer") && vlFind(el, "a, h1, h2, h3, h4, h5, h6, img, button") !== null;
  });
  var matching = shown.filter(function (el) { return vlNorm(vlText(el)).indexOf(q) !== -1; });
  var linked = matching.filter(function (el) { return el.matches("a[href]") || vlFind(el, "a[href]"); });
  return { shown: shown.length, matching: matching.length, linked: linked.length };
}
""")

SEARCH_BOX = ("input[type=search]:visible, [role=search] input:visible, input[role=searchbox]:visible, "
              "input[name*=search i]:visible, input[placeholder*=search i]:visible, "
              "input[aria-label*=search i]:visible, input[name=q]:visible")

# Visible text blocks within a band around an element (what a user reads "next to" it).
# Visible text next to a field that belongs to it: referenced by its aria-describedby/errormessage, or
# in a container holding no other field (its own row), or naming it. A form-level "Invalid input"
# above the first field is near that field but is none of these.
NEAR_TEXTS_JS = _with_helpers("""
(field) => {
  var box = field.getBoundingClientRect();
  var ids = ((field.getAttribute("aria-describedby") || "") + " " + (field.getAttribute("aria-errormessage") || "")).split(/ +/).filter(Boolean);
  var label = vlNorm((field.labels && field.labels[0] ? field.labels[0].textContent : "").replace(/[*:]/g, ""));
  var name = vlNorm((field.name || "").replace(/[_-]+/g, " "));
  var out = [];
  // A form may sit in a web component's shadow root: ids resolve there, and holding crosses hosts.
  function holds(el, node) { for (var n = node; n; n = vlUp(n)) if (n === el) return true; return false; }
  vlAll(document.body).forEach(function (el) {
    if (el === field || holds(el, field) || !vlVisible(el) || /^(SCRIPT|STYLE|OPTION|SELECT|INPUT|TEXTAREA)$/.test(el.tagName)) return;
    var own = Array.from(el.childNodes).filter(function (n) { return n.nodeType === 3; }).map(function (n) { return n.textContent; }).join(" ").trim();
    if (!own) return;
    var r = el.getBoundingClientRect();
    var gap = r.top >= box.bottom ? r.top - box.bottom : (box.top >= r.bottom ? box.top - r.bottom : 0);
    if (gap > 80 || r.left >= box.right + 400 || r.right <= box.left - 200) return;
    var described = ids.some(function (id) { var target = field.getRootNode().getElementById(id); return target && holds(target, el); });
    var common = el;
    while (common && !holds(common, field)) common = vlUp(common);
    var alone = !!common && vlAll(common).filter(function (f) { return f.matches("input:not([type=hidden]), select, textarea"); }).length === 1;
    var text = vlNorm(own);
    var names = (label && text.indexOf(label) !== -1) || (name && text.indexOf(name) !== -1);
    if (described || alone || names) out.push(own.replace(/\\s+/g, " "));
  });
  return out;
}
""")

# Messages on screen, a web component's own (in its shadow root) included.
STATUS_JS = _with_helpers("""
() => vlAll(document.body).filter(function (el) {
    return el.matches("[role=status], [role=alert], [aria-live], [class*=toast i], [class*=flash i], [class*=notice i], [class*=confirm i], [class*=alert i]");
  })
  .filter(vlVisible).map(function (el) { return vlRead(el).replace(/\\s+/g, " ").trim(); })
  .filter(function (t) { return t.length > 0; })
""")

ACTION = re.compile(r"\b(add|save|post|publish|create|submit|send|subscribe|book|buy|order)\b", re.IGNORECASE)
SIGNUP = re.compile(r"regist|sign ?up|join|create (an )?account|get started", re.IGNORECASE)
RULE_TEXT = re.compile(r"\b\d+\s*(or more\s*)?(characters|chars|letters)\b|\bat least \w+", re.IGNORECASE)


@dataclass
class Verdict:
    passed: bool
    detail: str
    # A failure no other page can undo: a user was shown to fail at the very thing (a search for an
    # item on a later page that found nothing); a last page of the same listing passing changes nothing.
    decisive: bool = False


async def _open(context: BrowserContext, url: str) -> Page:
    page = await context.new_page()
    await page.goto(url, wait_until="load", timeout=20_000)
    # Not "networkidle" (it always waits 500 ms more, and a polling page never gets there): the page
    # is taken as ready once its DOM has stopped changing for a moment; a check that needs content
    # rendered later (a fetched listing) polls for it on top of this.
    previous, stable = -1, 0
    for _ in range(40):
        size = await page.evaluate("document.getElementsByTagName('*').length")
        stable = stable + 1 if size == previous else 0
        if stable >= 1:
            break
        previous = size
        await page.wait_for_timeout(50)
    return page


async def _settle(page: Page, state: str, timeout_ms: int) -> None:
    with suppress(PlaywrightTimeout):
        await page.wait_for_load_state(state, timeout=timeout_ms)  # type: ignore[arg-type]


async def _links(page: Page, base: str, prefer: re.Pattern[str] | None) -> list[str]:
    found = await page.eval_on_selector_all(
        "a[href]", "els => els.map(a => [a.href, (a.innerText || '') + ' ' + a.getAttribute('href')])")
    origin = urlsplit(base)[:2]
    seen, out = set(), []
    for href, text in found:
        url = href.split("#")[0]
        if urlsplit(url)[:2] != origin or url in seen or re.search(r"log ?out|sign ?out|delete|remove", text, re.IGNORECASE):
            continue
        seen.add(url)
        out.append((0 if prefer and prefer.search(text) else 1, len(out), url))
    return [u for *_, u in sorted(out)]


async def _walk(context: BrowserContext, url: str, prefer: re.Pattern[str] | None,
                attempt: Callable[[Page], Awaitable[Verdict | None]], pages: list[str],
                exhaustive: bool = False) -> Verdict:
    """Try the start page, the pages named, then pages the start links to (preferred ones first),
    until one can be judged."""
    queue, tried = [url, *(urljoin(url, p) for p in pages)], []
    kept: Verdict | None = None  # the first verdict: what is reported if no page decides
    while queue and len(tried) < MAX_PAGES:
        target = queue.pop(0)
        if target in tried:
            continue
        tried.append(target)
        page = await _open(context, target)
        try:
            verdict = await attempt(page)
            if verdict is not None and verdict.passed and not exhaustive:
                return verdict
            if verdict is not None and not verdict.passed and (exhaustive or verdict.decisive):
                return verdict
            kept = kept or verdict
            if len(tried) == 1:
                queue += await _links(page, url, prefer)
        finally:
            await page.close()
    if kept is not None:
        return kept
    paths = ", ".join(urlsplit(t).path or "/" for t in tried)
    return Verdict(False, f"nothing to try it on in the pages visited ({paths})")


async def _search(page: Page) -> Verdict | None:
    listing = None
    for _ in range(40):  # content a script renders late (a fetch, a timer): up to 4 s
        listing = await page.evaluate(LISTING_JS)
        if listing and await page.locator(SEARCH_BOX).count():
            break
        await page.wait_for_timeout(100)
    if not listing or not listing["query"]:
        return None
    boxes = page.locator(SEARCH_BOX)
    if not await boxes.count():
        return Verdict(False, f"{page.url}: a listing of {listing['items']} items but no visible search box")
    # A paginated listing is searched for an item that is not on this page: a search that only
    # filters the page shown finds nothing of what a user looking for it came for.
    later = await _later_item(page)
    if later is not None:
        return await _search_later(page, boxes.first, later)
    box = boxes.first
    await box.fill(listing["query"])  # focuses the box and types in one go, as a paste would
    state = {}
    for _ in range(120):
        await page.wait_for_timeout(25)
        state = await page.evaluate(NARROWED_JS)
        if state["shown"] and state["matching"] == state["shown"] and state["hidden_others"] == state["others"]:
            return Verdict(True, f"{page.url}: typed {listing['query']!r}: {listing['items']} items → "
                                 f"{state['shown']} shown, all containing it")
    return Verdict(False, f"{page.url}: typed {listing['query']!r} in the search box but the listing did not "
                          f"narrow ({state.get('shown')} shown, {state.get('matching')} matching, "
                          f"{state.get('hidden_others')} of {state.get('others')} others hidden)")


@dataclass(frozen=True)
class LaterItem:
    query: str  # a word of its title that no item of the first page has
    title: str
    pager: str  # the next control's words


async def _later_item(page: Page) -> LaterItem | None:
    """An item of the listing's next page that the first page lacks; None when the listing has no next page.

    The page being checked stays as a visitor found it: a next page that is another document is read
    from its HTML (fetched, parsed, never rendered: a tab costs more than the rest of the check); one
    whose items a script renders, or a page the app turns itself, is opened in a second tab."""
    first = await page.evaluate(_with_helpers("""() => ({
      texts: window.__vlCheck.items.map(function (it) { return vlNorm(vlText(it)); }), key: window.__vlCheck.key,
      shape: window.__vlCheck.container.tagName + "." + Array.from(window.__vlCheck.container.classList).sort().join(".") })"""))
    pager = await page.evaluate(PAGER_JS, {"pattern": NEXT_WORDS, "mark": False})
    if pager is None:
        return None
    if pager["href"] and pager["href"].split("#")[0] != page.url.split("#")[0]:
        later = await _later_fetched(page, pager["href"], first)
        if later is not None:
            best = later["best"]
            return LaterItem(best["query"], best["title"], pager["text"]) if best else None
    return await _later_in_tab(page, first)


async def _later_fetched(page: Page, href: str, first: dict) -> dict | None:
    """LATER_JS on the next page's HTML as its server sends it; None when that holds none of the items.

    Fetched by the page itself, so through the context's proxy rules and headers (an APIRequestContext
    does not keep Chromium's loopback bypass, and the preview would be out of its reach)."""
    try:
        html = await page.evaluate(FETCH_HTML_JS, href)
    except PlaywrightError:  # the page navigated away meanwhile, or the fetch threw
        return None
    if html is None:
        return None
    later = await page.evaluate(LATER_JS, {"first": first["texts"], "key": first["key"], "shape": first["shape"],
                                           "html": html})
    return later if later["texts"] else None


async def _later_in_tab(page: Page, first: dict) -> LaterItem | None:
    """The next page as the app shows it, in a second tab: pressing its next control there, or
    loading a next document whose items a script renders."""
    other = await _open(page.context, page.url)
    try:
        if not await _listing(other):
            return None
        pager = await other.evaluate(PAGER_JS, {"pattern": NEXT_WORDS, "mark": True})
        if pager is None:
            return None
        if pager["href"] and pager["href"].split("#")[0] != other.url.split("#")[0]:
            await other.goto(pager["href"], wait_until="load")
        else:  # a button, or a link to a route of the same document: the app turns the page itself
            await other.locator("[data-vl-check-next]").first.click()
        for _ in range(200):  # the next page rendered: items other than the first page's (up to 5 s)
            await other.wait_for_timeout(25)  # a fine grain: each look is cheap, and the bench waits on it
            later = await other.evaluate(LATER_JS, {"first": first["texts"], "key": first["key"],
                                                    "shape": first["shape"], "html": None})
            if later["texts"] and later["texts"] != first["texts"]:
                best = later["best"]
                return LaterItem(best["query"], best["title"], pager["text"]) if best else None
        return None
    finally:
        await other.close()


async def _search_later(page: Page, box: Locator, later: LaterItem) -> Verdict:
    await box.fill(later.query)
    state: dict = {}
    # Reading the other pages takes the module a moment (fetching them, or loading the app again):
    # a user waiting on a "searching" status gets up to 10 s.
    for _ in range(400):
        await page.wait_for_timeout(25)
        with suppress(Exception):  # a search that navigates to its results is read on the page it loads
            state = await page.evaluate(FOUND_JS, later.query)
            if state["shown"] and state["matching"] == state["shown"] and state["linked"]:
                return Verdict(True, f"{page.url}: typed {later.query!r}, on a later page only "
                                     f"({later.title!r}, past {later.pager!r}): {state['shown']} shown, all "
                                     "containing it, with a link to open it")
    return Verdict(False, f"{page.url}: typed {later.query!r}, which only an item on a later page has "
                          f"({later.title!r}, past {later.pager!r}), but the search did not show it "
                          f"({state.get('shown')} shown, {state.get('matching')} containing it, "
                          f"{state.get('linked')} with a link): it searches only the page shown", decisive=True)


async def _form_field(page: Page, want_signup: bool) -> tuple | None:
    forms = page.locator("form:visible")
    best = None
    for i in range(await forms.count()):
        form = forms.nth(i)
        pw = await form.locator("input[type=password]:visible").count()
        email = await form.locator("input[type=email]:visible").count()
        if not pw and not email:
            continue
        text = (await form.inner_text()) + " " + (await page.title()) + " " + page.url
        score = (bool(SIGNUP.search(text)) or pw > 1 or (pw and email), pw, email)
        if want_signup and not score[0]:
            continue
        if best is None or score > best[0]:
            best = (score, form)
    return best


async def _validation(page: Page) -> Verdict | None:
    found = await _form_field(page, want_signup=False)
    if not found:
        return None
    form = found[1]
    # Wrong values a user enters: a malformed email, a too-short password, a required field left empty.
    tries = [(form.locator("input[type=email]:visible"), "not-an-email"),
             (form.locator("input[type=password]:visible"), "a1"),
             (form.locator("input[required]:visible, textarea[required]:visible"), "")]
    fields = []
    for locator, wrong in tries:
        if await locator.count():
            fields.append((locator.first, wrong, await _name(locator.first)))
    before = {name: set(await field.evaluate(NEAR_TEXTS_JS)) for field, _, name in fields}
    for field, wrong, name in fields:
        await field.click()
        await field.fill(wrong)
        await field.press("Tab")
        await page.wait_for_timeout(300)
        new = [t for t in await field.evaluate(NEAR_TEXTS_JS) if t not in before[name] and len(t) > 3]
        if new:
            return Verdict(True, f"{page.url}: {wrong!r} in {name}: {new[0]!r} appeared next to it on leaving the field")
    submit = form.locator("button[type=submit]:visible, input[type=submit]:visible, button:not([type]):visible")
    if fields and await submit.count():
        await submit.first.click()
        await page.wait_for_timeout(800)
        await _settle(page, "load", 5_000)
        for _, wrong, name in fields:
            again = page.locator(f'[name="{name}"]:visible')
            new = [t for t in await again.first.evaluate(NEAR_TEXTS_JS) if t not in before[name] and len(t) > 3] \
                if await again.count() else []
            if new:
                return Verdict(True, f"{page.url}: {wrong!r} in {name}: {new[0]!r} appeared next to it on submit")
    tried = ", ".join(f"{wrong!r} in {name}" for _, wrong, name in fields)
    return Verdict(False, f"{page.url}: {tried}: no message appeared next to the field, on leaving it or on submit")


async def _name(field: Locator) -> str:
    return await field.get_attribute("name") or await field.get_attribute("id") or "the field"


async def _password_hint(page: Page) -> Verdict | None:
    found = await _form_field(page, want_signup=True)
    if not found or not await found[1].locator("input[type=password]:visible").count():
        return None
    field = found[1].locator("input[type=password]:visible").first
    near = [t for t in await field.evaluate(NEAR_TEXTS_JS) if RULE_TEXT.search(t)]
    if near:
        return Verdict(True, f"{page.url}: the rule is stated next to the password field: {near[0]!r}")
    return Verdict(False, f"{page.url}: no password rule stated next to the sign-up form's password field")


# What a user types in a form's empty fields before pressing its action: an app that ignores an
# empty submit (a todo list, a comment box) must get something to act on, or no app could confirm.
FILL_FORM_JS = """
(button) => {
  var form = button.form || button.closest("form");
  if (!form) return 0;
  var values = { email: "ana@example.com", number: "2", url: "https://example.com", tel: "5551234567",
                 date: "2030-01-15", "datetime-local": "2030-01-15T10:00", time: "10:00" };
  var filled = 0;
  Array.from(form.querySelectorAll("input, textarea, select")).forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.disabled || el.readOnly) return;
    var type = (el.getAttribute("type") || el.tagName).toLowerCase();
    if (/^(hidden|submit|button|reset|image|file|password|search|radio)$/.test(type)) return;
    if (type === "checkbox") { if (el.required && !el.checked) { el.click(); filled++; } return; }
    if (el.tagName === "SELECT") {
      if (!el.value && el.options.length > 1) { el.selectedIndex = 1; el.dispatchEvent(new Event("change", { bubbles: true })); filled++; }
      return;
    }
    if (el.value) return;
    var value = values[type] || "Buy oat milk";
    // Through the value setter React and other frameworks watch, then the events a typing user fires.
    var proto = el.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, "value").set.call(el, value);
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
    filled++;
  });
  return filled;
}
"""


async def _fill_form_of(button: Locator) -> None:
    with suppress(Exception):  # a button outside any form, or one that went away: press it as it is
        await button.evaluate(FILL_FORM_JS)


async def _confirmation(page: Page) -> Verdict | None:
    buttons = page.locator("button:visible, input[type=submit]:visible, [role=button]:visible")
    target = None
    for i in range(await buttons.count()):
        button = buttons.nth(i)
        label = (await button.inner_text() or await button.get_attribute("value") or "").strip()
        if ACTION.search(label) and not re.search(r"search|filter|log ?in|sign ?in", label, re.IGNORECASE):
            target = (button, label)
            break
    if target is None:
        return None
    await _fill_form_of(target[0])
    before = set(await page.evaluate(STATUS_JS))
    await target[0].click()
    await page.wait_for_timeout(300)
    await _settle(page, "load", 5_000)
    for _ in range(8):
        new = [t for t in await page.evaluate(STATUS_JS) if t not in before]
        if new:
            return Verdict(True, f"pressed {target[1]!r}: {new[0]!r} appeared")
        await page.wait_for_timeout(250)
    return Verdict(False, f"pressed {target[1]!r} on {page.url}: no confirmation appeared")


# Controls that lead to a create/new/compose route, with what a visitor reads on them and their size.
CREATE_CONTROLS_JS = _with_helpers("""
() => Array.from(document.querySelectorAll("a[href]")).filter(vlVisible).map(function (a) {
  var path = new URL(a.getAttribute("href"), location.href).pathname;
  var r = a.getBoundingClientRect();
  return { href: a.href, text: (a.innerText || "").replace(/\\s+/g, " ").trim(), path: path,
           height: r.height, width: r.width };
}).filter(function (c) { return /(^|\\/)(new|create|add|compose|write|publish)(\\/|\\.\\w+$|$)/i.test(c.path); })
""")


async def _primary_action(page: Page) -> Verdict | None:
    controls = await page.evaluate(CREATE_CONTROLS_JS)
    if not controls:
        return None
    said = [c for c in controls if len(re.sub(r"[^A-Za-z\u00c0-\u024f]", "", c["text"])) >= 3
            and c["height"] >= 20 and c["width"] >= 40]
    if not said:
        shown = ", ".join(repr(c["text"] or "(no text)") for c in controls[:3])
        return Verdict(False, f"{page.url}: the create control reads {shown}: no words a visitor can act on")
    target = said[0]
    response = await page.goto(target["href"])
    if response is not None and response.status >= 400:
        return Verdict(False, f"{target['text']!r} leads to HTTP {response.status}")
    return Verdict(True, f"{target['text']!r} ({target['width']:.0f}×{target['height']:.0f} px) opens {target['path']}")


ORDER_JS = _with_helpers("""
() => {
  var c = window.__vlCheck;
  var items = Array.from(c.container.children).filter(function (el) { return vlVisible(el) && vlFind(el, "a, h1, h2, h3, h4, h5, h6, img, button"); });
  items.sort(function (a, b) {
    var ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
    return Math.abs(ra.top - rb.top) > 2 ? ra.top - rb.top : ra.left - rb.left;
  });
  return items.map(function (el) {
    var tagged = el.hasAttribute("data-price") ? el : vlFind(el, "[data-price]");
    if (tagged) return parseFloat(tagged.getAttribute("data-price"));
    var m = vlRead(el).replace(/,/g, "").match(/[$\u20ac\u00a3\u00a5]\\s?(\\d+(?:\\.\\d+)?)|(\\d+(?:\\.\\d{2}))\\s?(?:\u20ac|EUR|USD|GBP|kr)/);
    return m ? parseFloat(m[1] || m[2]) : null;
  });
}
""")

COUNT_JS = _with_helpers("""
() => {
  var c = window.__vlCheck;
  var n = Array.from(c.container.children).filter(function (el) { return vlVisible(el) && vlFind(el, "a, h1, h2, h3, h4, h5, h6, img, button"); }).length;
  var said = vlAll(document.body).filter(vlVisible).map(function (el) {
    return Array.from(el.childNodes).filter(function (t) { return t.nodeType === 3; }).map(function (t) { return t.textContent; }).join(" ");
  }).filter(function (t) {
    return new RegExp("(^|[^0-9])" + n + " *(of +[0-9]+|results?|items?|products?|recipes?|posts?|shown|matches?|found)", "i").test(t.replace(/[ \\t\\n\\u00a0]+/g, " "));
  });
  return { n: n, said: said.slice(0, 1) };
}
""")


def _norm(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


async def _listing(page: Page, control: str | None = None) -> dict | None:
    """The listing, once rendered; with `control`, also waits (as long) for such a control to appear
    (a module adds its control just after the items it acts on)."""
    listing = None
    for _ in range(40):  # content a script renders late: up to 4 s
        listing = await page.evaluate(LISTING_JS)
        if listing and (control is None or await page.locator(control).count()):
            return listing
        await page.wait_for_timeout(100)
    return listing


async def _narrowed_to(page: Page, text: str, before: int, what: str) -> Verdict:
    await page.evaluate("q => { window.__vlCheck.query = q; }", _norm(text))
    state: dict = {}
    for _ in range(120):
        await page.wait_for_timeout(25)
        state = await page.evaluate(NARROWED_JS)
        if state["shown"] and state["matching"] == state["shown"] and state["hidden_others"] == state["others"]:
            return Verdict(True, f"{page.url}: {what}: {before} items → {state['shown']}, all of it")
    return Verdict(False, f"{page.url}: {what}: the listing did not narrow to it ({state.get('shown')} shown, "
                          f"{state.get('matching')} of them in it)")


async def _category_filter(page: Page) -> Verdict | None:
    listing = await _listing(page, "select:visible")
    if not listing:
        return None
    texts = await page.evaluate(_with_helpers("""() => Array.from(window.__vlCheck.items).map(function (it) { return vlNorm(vlText(it)); })"""))
    selects = page.locator("select:visible")
    for i in range(await selects.count()):
        options = [o.strip() for o in await selects.nth(i).locator("option").all_inner_texts()]
        counts = {o: sum(_norm(o) in t for t in texts) for o in options if o}
        useful = {o: n for o, n in counts.items() if 0 < n < len(texts)}
        if len(useful) >= 2 or (useful and len(counts) >= 3):
            choice = min(useful, key=lambda o: (useful[o], o))
            await selects.nth(i).select_option(label=choice)
            return await _narrowed_to(page, choice, listing["items"], f"chose {choice!r}")
    buttons = page.locator("button:visible, [role=button]:visible, a[aria-pressed]:visible")
    labels = [t.strip() for t in await buttons.all_inner_texts()]
    useful = {label: sum(_norm(label) in t for t in texts) for label in labels if label}
    useful = {label: n for label, n in useful.items() if 0 < n < len(texts)}
    if len(useful) >= 2:
        choice = min(useful, key=lambda o: (useful[o], o))
        await buttons.nth(labels.index(choice)).click()
        return await _narrowed_to(page, choice, listing["items"], f"pressed {choice!r}")
    return Verdict(False, f"{page.url}: a listing of {listing['items']} items but no control offering its categories")


async def _sort(page: Page) -> Verdict | None:
    listing = await _listing(page, "select:visible")
    if not listing:
        return None
    selects = page.locator("select:visible")
    for i in range(await selects.count()):
        options = [o.strip() for o in await selects.nth(i).locator("option").all_inner_texts()]
        cheap = next((o for o in options if re.search(r"price.*(low|asc)|low.*price|lowest|cheapest", o, re.IGNORECASE)), None)
        if cheap:
            await selects.nth(i).select_option(label=cheap)
            prices: list = []
            for _ in range(40):
                await page.wait_for_timeout(50)
                prices = [p for p in await page.evaluate(ORDER_JS) if p is not None]
                if len(prices) >= 2 and prices == sorted(prices) and len(set(prices)) > 1:
                    return Verdict(True, f"{page.url}: chose {cheap!r}: prices now run {prices[0]} … {prices[-1]}")
            return Verdict(False, f"{page.url}: chose {cheap!r} but the prices shown are not in order: {prices[:6]}")
    return Verdict(False, f"{page.url}: a listing of {listing['items']} items but no choice to sort it by price")


async def _result_count(page: Page) -> Verdict | None:
    if not await _listing(page):
        return None
    state = await page.evaluate(COUNT_JS)
    for _ in range(20):  # a count added just after the items
        if state["said"]:
            break
        await page.wait_for_timeout(100)
        state = await page.evaluate(COUNT_JS)
    if state["said"]:
        return Verdict(True, f"{page.url}: {state['n']} items listed and the page says {state['said'][0].strip()!r}")
    return Verdict(False, f"{page.url}: {state['n']} items listed; no text says how many")


async def _sticky_cart(page: Page) -> Verdict | None:
    cart = page.locator("a:visible, button:visible").filter(has_text=re.compile(r"\b(cart|basket|bag)\b", re.IGNORECASE))
    if not await cart.count():
        return None
    await page.set_viewport_size({"width": 1280, "height": 480})  # a laptop with the keyboard open, roughly
    tall = await page.evaluate("document.documentElement.scrollHeight > innerHeight * 1.3")
    if not tall:
        return None  # nothing to scroll past on this page
    await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    await page.wait_for_timeout(150)
    seen = await cart.first.evaluate("el => { var r = el.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }")
    return Verdict(seen, f"{page.url}: after scrolling to the bottom the cart is {'still' if seen else 'no longer'} on screen")


# What an accessibility audit finds missing on a page: [] when nothing is, None when it has nothing to audit.
AUDITS = {
    "lang": "() => document.documentElement.lang.trim() ? [] : ['<html> without lang']",
    "alt_text": _with_helpers("""() => {
      var imgs = Array.from(document.images).filter(vlVisible);
      return imgs.length ? imgs.filter(function (i) { return !i.hasAttribute("alt"); })
        .map(function (i) { return "<img src=" + i.getAttribute("src") + "> without alt"; }) : null;
    }"""),
    "input_labels": _with_helpers("""() => {
      var fields = Array.from(document.querySelectorAll("input, select, textarea")).filter(function (f) {
        return vlVisible(f) && !/^(hidden|submit|button|reset|image)$/.test(f.type);
      });
      return fields.length ? fields.filter(function (f) {
        return !(f.labels && f.labels.length) && !f.getAttribute("aria-label") && !f.getAttribute("aria-labelledby") && !f.title;
      }).map(function (f) { return "<" + f.tagName.toLowerCase() + " name=" + (f.name || "?") + "> without a name"; }) : null;
    }"""),
    "button_names": _with_helpers("""() => {
      var buttons = Array.from(document.querySelectorAll("button, [role=button], input[type=button], input[type=submit]"))
        .filter(vlVisible);
      var named = function (b) {
        if (b.getAttribute("aria-label") || b.getAttribute("aria-labelledby") || b.title) return true;
        if (b.tagName === "INPUT") return !!(b.value || b.type === "submit");
        if ((b.innerText || "").trim()) return true;
        return Array.from(b.querySelectorAll("img[alt], svg title")).some(function (e) {
          return (e.getAttribute("alt") || e.textContent || "").trim(); });
      };
      return buttons.length ? buttons.filter(function (b) { return !named(b); }).map(function (b) {
        return "<" + b.tagName.toLowerCase() + (b.className && typeof b.className === "string" ? " class=" + b.className : "")
          + "> without a name"; }) : null;
    }"""),
}


def _audit(recipe: str) -> Callable[[Page], Awaitable[Verdict | None]]:
    """Every page visited is audited; the first with something missing fails the check."""

    async def attempt(page: Page) -> Verdict | None:
        missing = await page.evaluate(AUDITS[recipe])
        if missing is None:
            return None
        if missing:
            return Verdict(False, f"{page.url}: {'; '.join(missing[:3])}")
        return Verdict(True, f"{page.url}: nothing missing")

    return attempt


ATTEMPTS: dict[str, tuple[Callable[[Page], Awaitable[Verdict | None]], re.Pattern[str] | None]] = {
    "search": (_search, re.compile(r"shop|product|catalog|browse|all|recipes|items", re.IGNORECASE)),
    "inline_validation": (_validation, SIGNUP),
    "password_hint": (_password_hint, SIGNUP),
    "confirmation": (_confirmation, re.compile(r"/(item|product|p)/|details?|view", re.IGNORECASE)),
    "primary_action": (_primary_action, None),
    "category_filter": (_category_filter, None),
    "sort": (_sort, None),
    "result_count": (_result_count, None),
    "sticky_cart": (_sticky_cart, None),
    **{recipe: (_audit(recipe), SIGNUP) for recipe in AUDITS},
}
# Audits look at every page they can reach; the other checks stop at the first page that shows it works.
EXHAUSTIVE = frozenset(AUDITS)


def check_behaviour(recipe: str, url: str, headers: dict[str, str] | None = None,
                    pages: list[str] | None = None, *, browser: BrowserSettings) -> Verdict:
    """Do what BEHAVIOURS[recipe] says on the app served at `url` (and `pages`, paths relative to it),
    in the Chromium of the caller's `browser` settings."""
    attempt, prefer = ATTEMPTS[recipe]

    async def work(context: BrowserContext) -> Verdict:
        return await _walk(context, url, prefer, attempt, pages or [], recipe in EXHAUSTIVE)

    try:
        return SHARED.run(url, headers or {}, work, timeout_s=CHECK_TIMEOUT_S, browser=browser)
    except TimeoutError:
        return Verdict(False, f"the check did not finish within {CHECK_TIMEOUT_S:.0f} s")


# The checks of the onboarding, feedback, navigation and landmark recipes (behaviour_more.py); they
# use the helpers above when they run, so they are registered here, after them.
from agents.code.behaviour_more import MORE_ATTEMPTS, MORE_BEHAVIOURS, MORE_EXHAUSTIVE

BEHAVIOURS.update(MORE_BEHAVIOURS)
ATTEMPTS.update(MORE_ATTEMPTS)
EXHAUSTIVE = EXHAUSTIVE | MORE_EXHAUSTIVE
