"""What a page offers a user, read from the rendered DOM: visible links, buttons, inputs, product-like items.

Only what is visible counts (a user cannot click what they cannot see). Every offered element gets a
`data-vl` tag so a persona can act on exactly the element it chose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from playwright.async_api import Page
from pydantic import BaseModel

# A form-less input group (a single-page app's "add" box): a visible text-like input outside any
# <form>, and the button beside it: the first visible button after it in its nearest container (up to
# three levels, of at most four fields) that says a generic verb (add, create, new, save, post,
# submit, send, +), or is the only one there and not a destructive one. No button: the input is
# submitted with Enter. `shown` and `text` are the page read's own helpers.
GROUP_JS = r"""
  const groupVerb = /^\s*(\+|(add|create|new|save|post|submit|send)\b)/i;
  const groupUndo = /delete|remove|clear|cancel|close|reset|\u00d7|\u2715/i;
  const groupKinds = ['text', 'email', 'url', 'tel', 'number', 'textarea', 'search'];
  const groupOf = (f, shown, text) => {
    if (f.closest('form') || f.disabled || f.readOnly) return null;
    const kind = f.tagName === 'TEXTAREA' ? 'textarea' : (f.getAttribute('type') || 'text').toLowerCase();
    if (f.tagName === 'SELECT' || !groupKinds.includes(kind) || !shown(f)) return null;
    let box = f.parentElement;
    for (let depth = 0; box && depth < 3 && box !== document.body; depth++, box = box.parentElement) {
      const fields = Array.from(box.querySelectorAll('input, textarea, select')).filter(e => e.type !== 'hidden' && shown(e));
      if (fields.length > 4) break;  // a bigger box is a section of the page, not one control's group
      const buttons = Array.from(box.querySelectorAll('button, input[type=submit], input[type=button], [role=button]'))
        .filter(b => shown(b) && !b.closest('form') && (f.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING));
      if (!buttons.length) continue;
      const said = b => text(b) || b.value || b.getAttribute('aria-label') || b.title || '';
      const button = buttons.find(b => groupVerb.test(said(b))) ||
        (buttons.length === 1 && !groupUndo.test(said(buttons[0])) ? buttons[0] : null);
      if (button) return {box, button};
      break;  // other buttons (a list's delete buttons): the input stands alone
    }
    return {box: f.parentElement || f, button: null};
  };
"""

# A button that adds an empty entry to type into (a to-do list's "+", an "Add task" that opens a new row
# in place): outside any form, and either saying add/create/new (short, not "add to cart") or, with no
# text at all, marked so by its icon or classes (fa-plus, data-icon="plus", add-button). `text` is the
# page read's own helper.
OPENER_JS = r"""
  const openerSays = /^\s*(\+|(add|create|new)\b)/i;
  const openerNot = /cart|basket|\bbag\b|wish ?list|favou?rite|compare|to (the |my )?(list|order)/i;
  const openerMarks = /(^|[^a-z0-9])(plus|add|create|new)([^a-z0-9]|$)/i;
  // A "+" beside a "-" (or a number box) is a quantity stepper, not an add.
  const stepper = (b, text) => !!b.parentElement && Array.from(b.parentElement.querySelectorAll(
    'button, [role=button], input[type=number]')).some(o => o !== b && (o.type === 'number' ||
      /^\s*[-\u2212\u2013]\s*$/.test(text(o)) || /(^|[^a-z0-9])(minus|decrement|decrease)([^a-z0-9]|$)/i.test(
        `${o.getAttribute('class') || ''} ${o.getAttribute('aria-label') || ''}`)));
  const opensEntry = (b, text) => {
    // Inside a form it submits; inside a link it navigates (to a form the flow follows as any link).
    if (b.closest('form, a[href]') || b.disabled || b.getAttribute('aria-disabled') === 'true' || stepper(b, text)) {
      return false;
    }
    const said = (text(b) || b.getAttribute('aria-label') || b.title || '').trim();
    if (said) return said.length <= 40 && openerSays.test(said) && !openerNot.test(said);
    const marks = [b, ...b.querySelectorAll('*')].map(e => [e.getAttribute('class') || '', e.id || '',
      e.getAttribute('data-icon') || '', e.getAttribute('icon') || ''].join(' ')).join(' ');
    return openerMarks.test(marks.replace(/[_-]+/g, ' '));
  };
"""

_EXTRACT_JS = r"""
() => {
  // A long list's newest entry (what a create flow looks for) is often at its end.
  const TEXT_CAP = 20000;
  // Whether a box clips everything inside it away: a zero `clip` rect or a half-or-more `clip-path`
  // inset, or overflow cut to a box of a pixel or less (the sr-only pattern, a collapsed section).
  // checkVisibility() ignores both. <html> and <body> hand their overflow to the viewport: never a clip.
  const clipsAway = new Map();
  const clips = (el) => {
    if (clipsAway.has(el)) return clipsAway.get(el);
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    // A display: contents box has no size of its own and clips nothing, whatever its overflow says.
    let away = s.display !== 'contents' &&
      ((s.overflowX !== 'visible' && r.width <= 1) || (s.overflowY !== 'visible' && r.height <= 1));
    const rect = (s.position === 'absolute' || s.position === 'fixed') && s.clip.match(/^rect\((.*)\)$/);
    if (rect) {
      const [top, right, bottom, left] = rect[1].split(/[\s,]+/).map(parseFloat);  // 'auto' parts: NaN
      away ||= right - left <= 1 || bottom - top <= 1;
    }
    const inset = s.clipPath.match(/^inset\(([\d.]+)%\)$/);
    away ||= !!inset && parseFloat(inset[1]) >= 50;
    clipsAway.set(el, away);
    return away;
  };
  // What a user can see: a box over a pixel in each direction, on the document (below the fold counts:
  // users scroll, and the actor scrolls an element into view before clicking it; off to the left or
  // top never does), not transparent, not hidden (visibility, display, content-visibility: hidden), and
  // not clipped away.
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || r.right + scrollX <= 0 || r.bottom + scrollY <= 0) return false;
    if (el.checkVisibility) {
      // opacityProperty covers the element and its ancestors: without it a transparent link is "seen".
      // content-visibility: hidden always counts; contentVisibilityAuto stays off, as it would also
      // drop every card below the fold of a list that skips rendering them (content-visibility: auto).
      if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
    } else {
      const s = getComputedStyle(el);
      if (s.visibility === 'hidden' || s.display === 'none' || s.opacity === '0') return false;
    }
    for (let a = el; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      if (clips(a)) return false;
    }
    return true;
  };
  // The counter lives on window so tags stay unique across reads of the same document.
  const tag = (el) => { if (!el.dataset.vl) el.dataset.vl = String(window.__vl = (window.__vl || 0) + 1); return el.dataset.vl; };
  const text = (el) => (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
  const price = /(?:[$€£]\s?\d[\d.,]*|\d[\d.,]*\s?(?:€|EUR|USD))/;
  const labelOf = (el) => {
    let t = '';
    if (el.id) { const l = document.querySelector(`label[for="${CSS.escape(el.id)}"]`); if (l) t = text(l); }
    if (!t) { const l = el.closest('label'); if (l) t = text(l); }
    return t || el.getAttribute('aria-label') || el.placeholder || el.name || '';
  };
  /*GROUP*/
  // Form-less groups, found first so a group's button knows its group.
  const groups = new Map(), groupButtons = new Map();
  for (const f of document.querySelectorAll('input, textarea')) {
    const g = groupOf(f, visible, text);
    if (!g) continue;
    groups.set(f, tag(g.box));
    if (g.button && !groupButtons.has(g.button)) groupButtons.set(g.button, tag(g.box));
  }
  const links = [], items = [], buttons = [], inputs = [];
  for (const a of document.querySelectorAll('a[href]')) {
    if (!visible(a)) continue;
    const entry = {vl: tag(a), text: text(a) || a.getAttribute('aria-label') || '', href: a.href,
                   rel: a.rel || '', current: a.getAttribute('aria-current') || ''};
    links.push(entry);
    // A product-like item: the smallest ancestor holding this link and a price, with few links in it.
    let box = a.parentElement;
    for (let depth = 0; box && depth < 4; depth++, box = box.parentElement) {
      const t = text(box);
      if (box.querySelectorAll('a[href]').length > 2) break;
      const m = t.match(price);
      if (m) { items.push({vl: entry.vl, name: entry.text, href: a.href, price: m[0], text: t.slice(0, 200)}); break; }
    }
  }
  for (const b of document.querySelectorAll('button, input[type=submit], input[type=button], [role=button]')) {
    if (!visible(b)) continue;
    buttons.push({vl: tag(b), text: text(b) || b.value || b.getAttribute('aria-label') || b.title || '',
                  type: b.type || '', disabled: !!b.disabled, in_form: !!b.closest('form'),
                  group: groupButtons.get(b) || '', adds: !groupButtons.has(b) && opensEntry(b, text)});
  }
  for (const f of document.querySelectorAll('input, select, textarea')) {
    const type = (f.type || f.tagName).toLowerCase();
    if (['hidden', 'submit', 'button', 'image', 'reset'].includes(type)) continue;
    // A styled checkbox or radio hides the native control (transparent, or sr-only) behind its visible
    // label: the user ticks it through the label, so the label is what the persona acts on.
    const through = visible(f) ? f : ['checkbox', 'radio'].includes(type)
      ? Array.from(f.labels || []).find(visible) : null;
    if (!through) continue;
    const options = f.tagName === 'SELECT' ? Array.from(f.options).map(o => ({value: o.value, text: text(o)})) : [];
    const describedby = (f.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
      .map(id => document.getElementById(id)).filter(e => e && visible(e)).map(text).join(' ');
    // Text a user reads next to the field: its row's other visible elements (not its label, not itself).
    const row = f.parentElement && !['FORM', 'FIELDSET', 'BODY'].includes(f.parentElement.tagName) ? f.parentElement : null;
    const near = !row || ['select', 'checkbox', 'radio'].includes(type) ? '' : Array.from(row.children)
      .filter(e => e !== f && e.tagName !== 'LABEL' && !e.contains(f) && visible(e)).map(text).join(' ');
    // With novalidate the browser shows nothing: a field is visibly wrong only when the page marks it.
    const native = !!f.form && !f.form.noValidate;
    const flagged = f.getAttribute('aria-invalid') === 'true';
    inputs.push({vl: tag(through), type, name: f.name || f.id || '', label: labelOf(f), placeholder: f.placeholder || '',
                 required: !!f.required, value: type === 'checkbox' || type === 'radio' ? String(f.checked) : f.value,
                 options, flagged, invalid: flagged || (native && f.validity && !f.validity.valid),
                 message: flagged ? describedby : (native ? f.validationMessage || '' : ''),
                 hint: [describedby, near, f.title || ''].filter(Boolean).join(' '),
                 pattern: f.getAttribute('pattern') || '', minlength: f.getAttribute('minlength') || '',
                 in_form: !!f.closest('form'), group: groups.get(f) || ''});
  }
  const alerts = Array.from(document.querySelectorAll(
      '[role=alert], [role=status], [aria-live], .error, .errors, .error-message, .field-error, .invalid-feedback, .form-error, .success, .message, .notice, .flash, .flashes, .toast, .alert'))
    .filter(visible).map(text).filter(Boolean);
  return {url: location.href, title: document.title, text: text(document.body).slice(0, TEXT_CAP),
          headings: Array.from(document.querySelectorAll('h1, h2, h3')).filter(visible).map(text).filter(Boolean),
          links, items, buttons, inputs, alerts, forms: document.querySelectorAll('form').length,
          // Page-quality facts read in the same round trip: every link target, images that failed.
          hrefs: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
          broken_images: Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0 && i.src)
            .map(i => i.src)};
}
""".replace("/*GROUP*/", GROUP_JS + OPENER_JS)

_SEARCH_WORDS = re.compile(r"search|filter|find|query|look for", re.IGNORECASE)
_NEXT_WORDS = re.compile(r"^(next|next page|more|older|›|»|→|>)\b|next\s*(page|›|»|→)?$", re.IGNORECASE)
_CART_COUNT = re.compile(
    r"(?:cart|basket|bag)\D{0,20}?(\d+)|(\d+)\D{0,5}(?:items? in (?:your )?(?:cart|basket|bag))",
    re.IGNORECASE,
)


# A link that changes the app rather than showing a page: many small apps delete a record or log the
# visitor out on a plain GET (`<a href="/todos/3/delete">`), and frameworks answer HEAD with the GET
# handler. Following or checking one would empty the app for every visitor after, so no simulated
# visitor or link check ever requests one. Matched on the path and query (an icon-only link has no
# text) and on the link's words.
_CHANGES_STATE = re.compile(
    r"(?<![a-z])(?:delete|remove|destroy|trash|log[-_ ]?out|sign[-_ ]?out|log[-_ ]?off)(?![a-z])", re.IGNORECASE)


def changes_state(href: str, text: str = "") -> bool:
    """Whether following this link would change the app (delete something, end the session)."""
    parts = urlsplit(href)
    return bool(_CHANGES_STATE.search(f"{parts.path}?{parts.query}") or _CHANGES_STATE.search(text))


@dataclass(frozen=True)
class Link:
    """A visible `a[href]`."""

    vl: str = ""  # the data-vl tag the page read gave it (selector() finds it again)
    text: str = ""
    href: str = ""
    rel: str = ""
    current: str = ""  # aria-current

    @property
    def caption(self) -> str:
        """What a user calls it (an action log's target)."""
        return self.text


@dataclass(frozen=True)
class Item:
    """A product-like item: a link with a price next to it; a scout's content entry has no price, no tag."""

    vl: str = ""
    name: str = ""
    href: str = ""
    price: str = ""
    text: str = ""  # the text of the box that holds the link and the price

    @property
    def caption(self) -> str:
        return self.name or self.text


@dataclass(frozen=True)
class Button:
    """A visible button, submit or `role=button` element."""

    vl: str = ""
    text: str = ""
    type: str = ""
    disabled: bool = False
    in_form: bool = False
    group: str = ""  # the form-less input group it submits (its container's tag), if any
    adds: bool = False  # it adds an empty entry to type into (OPENER_JS), outside any form and group

    @property
    def caption(self) -> str:
        return self.text


@dataclass(frozen=True)
class Option:
    value: str = ""
    text: str = ""


@dataclass(frozen=True)
class Field:
    """A form control a user can fill, tick or choose from; what the page says about it is in
    `message` (its error) and `hint` (text next to it), its attributes in `pattern` and `minlength`."""

    vl: str = ""
    type: str = ""
    name: str = ""
    label: str = ""
    placeholder: str = ""
    required: bool = False
    value: str = ""  # a checkbox's or radio's is "true" or "false"
    options: tuple[Option, ...] = ()
    flagged: bool = False  # the page marked it aria-invalid
    invalid: bool = False
    message: str = ""
    hint: str = ""
    pattern: str = ""
    minlength: str = ""
    in_form: bool = False
    group: str = ""  # the form-less input group it is in (its container's tag), if any

    @property
    def caption(self) -> str:
        return self.label or self.name


Element = Link | Item | Button | Field


class PageView(BaseModel):
    # Pydantic copies each list default: no view shares one with another.
    url: str
    title: str = ""
    text: str = ""
    headings: list[str] = []
    links: list[Link] = []
    items: list[Item] = []
    buttons: list[Button] = []
    inputs: list[Field] = []
    alerts: list[str] = []
    forms: int = 0
    hrefs: list[str] = []
    broken_images: list[str] = []

    def search_input(self) -> Field | None:
        for field in self.inputs:
            described = f"{field.type} {field.name} {field.label} {field.placeholder}"
            if field.type in ("search", "text") and _SEARCH_WORDS.search(described):
                return field
        return None

    def next_link(self) -> Link | None:
        for link in self.links:
            if "next" in link.rel.split() or _NEXT_WORDS.search(link.text.strip()):
                return link
        return None

    def find_item(self, name: str) -> Item | Link | None:
        wanted = normalise(name)
        for item in self.items:
            if normalise(item.name) == wanted:
                return item
        for link in self.links:  # a match without a visible price still leads to the item
            if normalise(link.text) == wanted:
                return link
        return None

    def button(self, pattern: str) -> Button | None:
        rx = re.compile(pattern, re.IGNORECASE)
        return next((b for b in self.buttons if not b.disabled and rx.search(b.text)), None)

    def link(self, pattern: str) -> Link | None:
        rx = re.compile(pattern, re.IGNORECASE)
        return next((link for link in self.links if rx.search(link.text)), None)

    def groups(self) -> list[tuple[list[Field], Button | None]]:
        """The form-less input groups (fields outside any <form>, and the button beside them, if any)."""
        found: dict[str, tuple[list[Field], Button | None]] = {}
        for field in self.inputs:
            if field.group and not field.in_form:
                found.setdefault(field.group, ([], None))[0].append(field)
        buttons = {b.group: b for b in self.buttons if b.group and not b.in_form}
        return [(fields, buttons.get(key)) for key, (fields, _) in found.items()]

    def cart_count(self) -> int | None:
        for link in self.links:
            match = _CART_COUNT.search(link.text)
            if match:
                return int(match.group(1) or match.group(2))
        return None


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


async def read_view(page: Page) -> PageView:
    """The page as a user sees it now; its elements become typed values here, once."""
    return PageView.model_validate(await page.evaluate(_EXTRACT_JS))


def selector(element: Element) -> str:
    return f'[data-vl="{element.vl}"]'
