"""Behavioural checks of the onboarding, empty-state, loading and landmark recipes: a user in Chromium
does what the change promised, on the run's preview (see behaviour.py for how checks are run).
"""

from __future__ import annotations

import asyncio
import re
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from playwright.async_api import ConsoleMessage, Locator, Page, Route
from playwright.async_api import Error as PlaywrightError

from agents.code.behaviour_kit import Attempt, core, fill_form, follow, page_js, steady

if TYPE_CHECKING:
    from agents.code.behaviour import Verdict

HOLD_S = 1.5  # how long a request is held back: long enough for anyone to notice a page did nothing
BEHAVIOURS: dict[str, str] = {
    "next_step": "sign up with valid details and, on the page that follows, see a welcome with a prominent next step, "
                 "and follow it",
    "empty_state": "open a page whose list has no items, read what to do there, and do it from there",
    "loading_indicator": "send a form (or start a request) while the answer is slow, and see the page say it is busy "
                         "until it arrives",
    "landmarks": "have a screen reader list each page's landmarks and tell them apart (one main, none inside one of "
                 "its own kind, every navigation named uniquely)",
}


# --- next step after sign-up ---------------------------------------------------------------------------

WELCOME = (r"welcome|signed up|account (is |has been |was )?(created|ready|set up)|you'?re (in|all set|registered)|"
           r"thanks? (you )?for (signing|joining|registering)|next step|get started|registration (was )?successful")
# A welcome in the first screen of the page, with a prominent control next to it: what a new member sees.
NEXT_STEP_JS = page_js("""
(pattern) => {
  var WELCOME = new RegExp(pattern, "i"), AUTH = /log.?out|sign.?out|regist|sign.?up/i;
  var said = Array.from(document.querySelectorAll("body *")).filter(function (el) {
    return vlVisible(el) && WELCOME.test(vlOwn(el)) && el.getBoundingClientRect().top < innerHeight;
  });
  for (var i = 0; i < said.length; i++) {
    for (var node = said[i], up = 0; node && node !== document.body && up < 4; node = node.parentElement, up++) {
      var controls = Array.from(node.querySelectorAll("a[href], button")).filter(function (c) {
        var r = c.getBoundingClientRect(), text = vlSay(c);
        return vlVisible(c) && r.height >= 30 && r.width >= 60 && r.top < innerHeight && !AUTH.test(text)
          && text.replace(/[^A-Za-z\\u00C0-\\u024F]/g, "").length >= 3;
      });
      if (controls.length) {
        controls[0].setAttribute("data-vl-check", "next-step");
        return { welcome: vlOwn(said[i]).slice(0, 80), label: vlSay(controls[0]).slice(0, 60) };
      }
    }
  }
  return null;
}
""")
ALERTS_JS = page_js("""() => Array.from(document.querySelectorAll("[role=alert], [aria-invalid=true], .error, .errors"))
  .filter(vlVisible).map(function (el) { return vlSay(el) || el.getAttribute("name") || ""; }).filter(Boolean).slice(0, 3)""")


async def _next_step(page: Page) -> Verdict | None:
    Verdict = core().Verdict
    found = await core()._form_field(page, want_signup=True)
    if not found:
        return None
    form, start = found[1], page.url
    submit = form.locator("button[type=submit]:visible, input[type=submit]:visible, button:not([type]):visible")
    if not await submit.count():
        return Verdict(False, f"{start}: the sign-up form has no button to send it")
    await fill_form(form)
    await submit.first.click()
    for _ in range(50):  # the next page, or the form going away (a sign-up a script handles)
        await page.wait_for_timeout(100)
        with suppress(PlaywrightError):
            if page.url != start or not await form.is_visible():
                break
    await steady(page)
    if await core()._form_field(page, want_signup=True):
        said = await page.evaluate(ALERTS_JS)
        return Verdict(False, f"{_where(start)}: signing up with valid details was not accepted"
                              + (f" ({'; '.join(said)})" if said else ""))
    step = None
    for _ in range(30):  # a module shows it just after the page is ready
        step = await page.evaluate(NEXT_STEP_JS, WELCOME)
        if step:
            break
        await page.wait_for_timeout(100)
    landed = page.url
    if not step:
        return Verdict(False, f"signed up on {_where(start)}; {_where(landed)} shows no welcome with a prominent next "
                              "step in its first screen", decisive=True)  # a new member was left there
    url, status, focused = await follow(page, page.locator("[data-vl-check=next-step]").first.click)
    if status is not None and status >= 400:
        return Verdict(False, f"signed up; {step['label']!r} on {_where(landed)} leads to HTTP {status}")
    if url == landed and not focused:
        return Verdict(False, f"signed up; {step['label']!r} on {_where(landed)} did nothing")
    did = f"opened {_where(url)}" if url != landed else "took them to the form to fill in"
    return Verdict(True, f"signed up on {_where(start)}; {_where(landed)} says {step['welcome']!r} with "
                         f"{step['label']!r}, which {did}")


def _where(url: str) -> str:
    """A page's address without the query a sent form put there (it holds the password typed)."""
    return urlsplit(url).path or "/"


# --- empty states ----------------------------------------------------------------------------------------

EMPTY_JS = page_js(r"""
() => {
  var LISTY = /(^|[-_\s])(list|items|grid|results|feed|cards|entries|rows|collection|gallery)($|[-_\s])/i;
  var SKIP = "nav, header, footer, form, select, datalist, template, dialog, [role=menu], [role=navigation], li";
  function listLike(el) {
    return /^(UL|OL|TBODY|DL)$/.test(el.tagName) || /^(list|feed|grid|table|rowgroup)$/.test(el.getAttribute("role") || "")
      || LISTY.test((el.id || "") + " " + (typeof el.className === "string" ? el.className : ""));
  }
  function empty(el) {
    return !Array.from(el.childNodes).some(function (c) {
      return (c.nodeType === 1 && !/^(SCRIPT|TEMPLATE|STYLE)$/.test(c.tagName)) || (c.nodeType === 3 && c.textContent.trim());
    });
  }
  var out = [];
  document.querySelectorAll("body *").forEach(function (el) {
    if (listLike(el) && empty(el) && vlVisible(el) && !(el.parentElement && el.parentElement.closest(SKIP))) {
      el.setAttribute("data-vl-check-empty", String(out.length));
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : ""));
    }
  });
  return out;
}
""")
# Near the empty list: text that says it is empty or what to do, with a control beside it.
EMPTY_HELP_JS = page_js(r"""
(i) => {
  var list = document.querySelector('[data-vl-check-empty="' + i + '"]');
  var box = (list.tagName === "TBODY" && list.closest("table") ? list.closest("table") : list).getBoundingClientRect();
  var SAYS = /\b(no|nothing|empty|yet|none|first|start|add|create)\b/i;
  var texts = Array.from(document.querySelectorAll("body *")).filter(function (el) {
    if (!vlVisible(el) || /^(H[1-6]|SCRIPT|STYLE|A|BUTTON|LABEL|OPTION)$/.test(el.tagName) || el.closest("nav, header, footer")) return false;
    var own = vlOwn(el), r = el.getBoundingClientRect();
    var gap = r.top >= box.bottom ? r.top - box.bottom : (box.top >= r.bottom ? box.top - r.bottom : 0);
    return own.length >= 8 && SAYS.test(own) && gap <= 150;
  });
  for (var t = 0; t < texts.length; t++) {
    for (var node = texts[t], up = 0; node && node !== document.body && up < 3; node = node.parentElement, up++) {
      var control = Array.from(node.querySelectorAll("a[href], button")).filter(function (c) {
        return vlVisible(c) && !c.closest("nav, header, footer") && vlSay(c).length > 0;
      })[0];
      if (control) {
        control.setAttribute("data-vl-check", "empty-action");
        return { message: vlOwn(texts[t]).slice(0, 80), action: vlSay(control).slice(0, 60) };
      }
    }
  }
  return null;
}
""")


async def _empty_state(page: Page) -> Verdict | None:
    Verdict = core().Verdict
    lists: list[str] = []
    help_ = None
    for tick in range(30):  # an empty state is only shown once the list has stayed empty for a moment
        lists = await page.evaluate(EMPTY_JS)
        help_ = await page.evaluate(EMPTY_HELP_JS, 0) if lists else None
        if help_ or (not lists and tick >= 5):
            break
        await page.wait_for_timeout(100)
    if not lists:
        return None
    if not help_:
        return Verdict(False, f"{page.url}: an empty list ({lists[0]}) and nothing next to it says what to do")
    here = page.url
    url, status, focused = await follow(page, page.locator("[data-vl-check=empty-action]").first.click)
    if status is not None and status >= 400:
        return Verdict(False, f"{here}: {help_['action']!r} next to the empty {lists[0]} leads to HTTP {status}")
    if url == here and not focused:
        return Verdict(False, f"{here}: {help_['message']!r} next to the empty {lists[0]}, but {help_['action']!r} did nothing")
    did = f"opened {url}" if url != here else "put them in the field to add one"
    return Verdict(True, f"{here}: the empty {lists[0]} says {help_['message']!r}; {help_['action']!r} {did}")


# --- loading indicators -----------------------------------------------------------------------------------

# What shows a page is busy: a progress bar, a spinner, or words that say it is working (aria-busy
# alone changes nothing a sighted visitor sees).
BUSY_FN = r"""
function vlBusy() {
  var WORDS = /\b(loading|sending|saving|submitting|please wait|processing|signing (you )?(in|up)|working on it)\b/i;
  var SHAPES = /(^|[-_])(spin(ner)?|loader|loading|busy|progress)([-_]|$)/i;
  var out = [];
  document.querySelectorAll("body *").forEach(function (el) {
    if (!vlVisible(el)) return;
    var classes = typeof el.className === "string" ? el.className.split(/\s+/) : [];
    if (WORDS.test(vlOwn(el)) && vlOwn(el).length <= 60) out.push(vlOwn(el));
    else if (el.getAttribute("role") === "progressbar" || el.tagName === "PROGRESS") out.push("a progress bar");
    else if (classes.some(function (c) { return SHAPES.test(c); })) out.push("<" + el.tagName.toLowerCase() + " class=" + el.className + ">");
  });
  return out;
}
"""
# The page watches itself while it waits: Playwright cannot evaluate in a page whose next document is
# on its way, but the page still runs and can say what it shows (as console messages).
WATCH_JS = page_js("() => {" + BUSY_FN + r"""
  var before = vlBusy();
  setInterval(function () {
    vlBusy().forEach(function (b) {
      if (before.indexOf(b) === -1) { before.push(b); console.debug("vl-busy:" + b); }
    });
  }, 40);
}
""")


async def _while_held(page: Page, control: Locator, what: str) -> Verdict | None:
    """Press `control` with every request it starts held back, and watch the page while it waits."""
    Verdict = core().Verdict
    held: list[str] = []
    seen: list[str] = []
    armed = False

    async def hold(route: Route) -> None:
        if armed and route.request.resource_type in ("document", "fetch", "xhr"):
            held.append(route.request.url)
            await asyncio.sleep(HOLD_S)
        with suppress(PlaywrightError):
            await route.continue_()

    def said(message: ConsoleMessage) -> None:
        if message.text.startswith("vl-busy:") and not held[1:]:  # while the first answer is held
            seen.append(message.text.removeprefix("vl-busy:"))

    await page.route("**/*", hold)
    await page.evaluate(WATCH_JS)
    page.on("console", said)
    armed = True
    at = page.url
    await control.click(no_wait_after=True)
    for _ in range(int(HOLD_S * 1000 / 50)):
        await page.wait_for_timeout(50)
        if seen:
            break
    armed = False
    await steady(page)
    page.remove_listener("console", said)
    with suppress(PlaywrightError):
        await page.unroute("**/*", hold)
    if not held:
        return None  # nothing was requested (a script stopped the form): nothing to wait for
    if seen:
        return Verdict(True, f"{at}: {what}; while the answer was held back {HOLD_S:g} s, {seen[0]!r} showed")
    return Verdict(False, f"{at}: {what}; for the {HOLD_S:g} s the answer was held back nothing on the page said it "
                          "was busy", decisive=True)  # someone waited blind: another page cannot undo that


async def _loading(page: Page) -> Verdict | None:
    forms = page.locator("form:visible")
    for i in range(min(await forms.count(), 3)):
        form = forms.nth(i)
        submit = form.locator("button[type=submit]:visible, input[type=submit]:visible, button:not([type]):visible")
        if not await submit.count():
            continue
        label = (await submit.first.inner_text() or await submit.first.get_attribute("value") or "send").strip()
        await fill_form(form)
        verdict = await _while_held(page, submit.first, f"sent the form with {label!r}")
        if verdict is not None:
            return verdict
    buttons = page.locator("button:visible:not([type=submit])")
    for i in range(min(await buttons.count(), 3)):
        label = (await buttons.nth(i).inner_text()).strip()
        if label and not re.search(r"delete|remove|log ?out|sign ?out|close|cancel|menu", label, re.IGNORECASE):
            verdict = await _while_held(page, buttons.nth(i), f"pressed {label!r}")
            if verdict is not None:
                return verdict
    return None


# --- landmarks ------------------------------------------------------------------------------------------------

LANDMARK_RULES = ["landmark-one-main", "landmark-no-duplicate-main", "landmark-no-duplicate-banner",
                  "landmark-no-duplicate-contentinfo", "landmark-unique"]
AXE_LANDMARKS_JS = """
rules => axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'rule', values: rules}})
  .then(r => r.violations.map(v => v.id + " (" + v.nodes.length + ")"))
"""
NESTED_JS = page_js("""
() => {
  var out = [], count = document.querySelectorAll("main, nav, aside, header, footer, [role]").length;
  document.querySelectorAll("nav, [role=navigation], aside, [role=complementary], main, [role=main]").forEach(function (el) {
    var kind = el.getAttribute("role") || {NAV: "navigation", ASIDE: "complementary", MAIN: "main"}[el.tagName];
    var sel = {navigation: "nav, [role=navigation]", complementary: "aside, [role=complementary]", main: "main, [role=main]"}[kind];
    if (sel && el.parentElement && el.parentElement.closest(sel)) out.push(kind + " inside " + kind);
  });
  return { count: count, nested: out };
}
""")


@cache
def _axe() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


async def _landmarks(page: Page) -> Verdict | None:
    Verdict = core().Verdict
    state = await page.evaluate(NESTED_JS)
    if not state["count"]:
        return None
    if not await page.evaluate("() => !!window.axe"):
        await page.evaluate(_axe())
    found = await page.evaluate(AXE_LANDMARKS_JS, LANDMARK_RULES) + state["nested"]
    if found:
        return Verdict(False, f"{page.url}: {'; '.join(dict.fromkeys(found))}")
    return Verdict(True, f"{page.url}: landmarks distinct")


ATTEMPTS: dict[str, tuple[Attempt, re.Pattern[str] | None]] = {
    "next_step": (_next_step, re.compile(r"regist|sign ?up|join|create (an )?account|get started", re.IGNORECASE)),
    "empty_state": (_empty_state, None),
    "loading_indicator": (_loading, None),
    "landmarks": (_landmarks, None),
}
EXHAUSTIVE = frozenset({"landmarks"})  # an audit: every page it reaches, as the other accessibility checks
