"""One page as the scout reads it, once rendered: the visitor's view, its visible forms, its controls."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.async_api import Page

from agents.browser.form_purpose import classify_form
from agents.browser.page_view import GROUP_JS, OPENER_JS, Item, PageView, read_view
from agents.browser.readiness import NetworkWatch, wait_until_ready
from agents.schemas import FieldInfo, FormInfo, FormPurpose, PageInfo

_FORMS_JS = r"""
() => {
  // Web components render into open shadow roots: the page a visitor sees is the document and those.
  const roots = [document];
  for (let i = 0; i < roots.length; i++) {
    for (const el of roots[i].querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
  }
  const all = sel => roots.flatMap(r => Array.from(r.querySelectorAll(sel)));
  const text = el => (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
  const shown = el => {
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 &&
      (!el.checkVisibility || el.checkVisibility({opacityProperty: true, visibilityProperty: true}));
  };
  const labelOf = e => {
    const root = e.getRootNode();  // a label names a field in its own document or shadow root
    const l = (e.id && root.querySelector(`label[for="${CSS.escape(e.id)}"]`)) || e.closest('label');
    const by = (e.getAttribute('aria-labelledby') || '').split(/\s+/).map(i => i && root.getElementById(i))
      .filter(Boolean).map(text).join(' ');
    return ((l && text(l)) || by || e.getAttribute('aria-label') || e.placeholder || '').trim();
  };
  const heads = all('h1, h2, h3, h4, legend').filter(shown);
  const kindOf = e => e.tagName === 'SELECT' ? 'select' : e.tagName === 'TEXTAREA' ? 'textarea'
    : (e.getAttribute('type') || 'text').toLowerCase();
  const forms = all('form').map((f, i) => {
    if (!shown(f)) return null;
    const fields = Array.from(f.elements).filter(e => ['INPUT', 'SELECT', 'TEXTAREA'].includes(e.tagName))
      .filter(e => !['hidden', 'submit', 'button', 'reset', 'image'].includes(kindOf(e)))
      // A styled checkbox hides the native box behind its visible label: the label is what counts.
      .filter(e => shown(e) || (['checkbox', 'radio'].includes(kindOf(e)) && Array.from(e.labels || []).some(shown)))
      .map(e => ({name: e.name || e.id || '', type: kindOf(e), label: labelOf(e), required: !!e.required,
                  autocomplete: e.getAttribute('autocomplete') || '', placeholder: e.placeholder || '',
                  options: e.tagName === 'SELECT' ? Array.from(e.options).map(o => o.value) : []}));
    const inside = heads.find(h => f.contains(h));
    const before = heads.filter(h => !f.contains(h) &&
      (h.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING)).pop();
    const submit = Array.from(f.querySelectorAll('button, input[type=submit], input[type=image]'))
      .find(b => shown(b) && (b.type === 'submit' || b.type === 'image'));
    const attr = f.getAttribute('action');
    const unique = sel => all(sel).length === 1 ? sel : '';  // Playwright's CSS pierces open shadow roots
    const selector = (f.id && `form#${CSS.escape(f.id)}`) ||
      (f.getAttribute('name') && unique(`form[name="${CSS.escape(f.getAttribute('name'))}"]`)) ||
      (attr && unique(`form[action="${CSS.escape(attr)}"]`)) || `form >> nth=${i}`;
    return {selector, action: attr === null ? location.href : f.action, method: (f.method || 'get').toLowerCase(),
            heading: (inside || before ? text(inside || before) : document.title).slice(0, 120),
            submit_text: submit ? (text(submit) || submit.value || submit.getAttribute('aria-label') || '') : '',
            role: f.closest('[role=search], search') || f.getAttribute('role') === 'search' ? 'search' : '', fields};
  }).filter(Boolean);
  // Form-less input groups (an "add" box and its button outside any <form>), one entry per container.
  /*GROUP*/
  const path = el => {  // a CSS path from the nearest ancestor with an id
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && e !== document.documentElement; e = e.parentElement) {
      if (e.id) { parts.unshift(`#${CSS.escape(e.id)}`); break; }
      const same = e.parentElement ? Array.from(e.parentElement.children).filter(c => c.tagName === e.tagName) : [e];
      parts.unshift(same.length > 1 ? `${e.tagName.toLowerCase()}:nth-of-type(${same.indexOf(e) + 1})` : e.tagName.toLowerCase());
    }
    return parts.join(' > ');
  };
  const boxes = new Map();
  for (const f of document.querySelectorAll('input, textarea')) {
    // A box that already holds text when the page loads edits what is there (a list's rows, each
    // with its title in a box): an add box starts empty.
    if (f.value && f.value.trim()) continue;
    const g = groupOf(f, shown, text);
    if (!g) continue;
    if (!boxes.has(g.box)) boxes.set(g.box, {button: g.button, fields: []});
    boxes.get(g.box).fields.push({name: f.name || f.id || labelOf(f), type: kindOf(f), label: labelOf(f), required: !!f.required,
                                  autocomplete: f.getAttribute('autocomplete') || '', placeholder: f.placeholder || '', options: []});
  }
  for (const [box, {button, fields}] of boxes) {
    const before = heads.filter(h => !box.contains(h) &&
      (h.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING)).pop();
    const inside = heads.find(h => box.contains(h));
    forms.push({selector: path(box), action: location.href, method: '', formless: true,
                button: button ? path(button) : '',
                heading: (inside || before ? text(inside || before) : document.title).slice(0, 120),
                submit_text: button ? (text(button) || button.value || button.getAttribute('aria-label') || '') : '',
                role: box.closest('[role=search], search') ? 'search' : '', fields});
  }
  // No add box, but a button that adds an empty entry to type into: the box appears once it is pressed
  // (the scout never presses it), so the entry is reported as one text field.
  const opener = boxes.size ? null : all('button, [role=button]').find(b => shown(b) && opensEntry(b, text));
  if (opener) {
    const before = heads.filter(h => (h.compareDocumentPosition(opener) & Node.DOCUMENT_POSITION_FOLLOWING)).pop();
    forms.push({selector: path(opener), action: location.href, method: '', formless: true, opens_entry: true,
                button: path(opener), heading: (before ? text(before) : document.title).slice(0, 120),
                submit_text: text(opener) || opener.getAttribute('aria-label') || opener.title || '+', role: '',
                fields: [{name: 'entry', type: 'text', label: 'New entry', required: true, autocomplete: '',
                          placeholder: '', options: []}]});
  }
  // Controls that narrow or order what is listed: selects and buttons outside data-entry forms.
  const sortWords = /\bsort|order by|price:? (low|high)|newest|oldest|a ?[-–] ?z\b/i;
  const entry = el => { const f = el.closest('form');
    return f && Array.from(f.elements).some(e => ['password', 'textarea', 'email'].includes(kindOf(e))); };
  // A language switcher changes the page's language, not what is listed: its options are languages,
  // or it is named for the language or locale.
  const langWords = /\b(lang|language|languages|locale|sprache|idioma|langue)\b/i;
  const langCode = /^(en|fr|de|es|it|pt|nl|ru|zh|ja|ko|ar|hi|pl|sv|tr|uk|cs|da|fi|no|nb|el|he|id|th|vi|ro|hu)([-_][a-z]{2,4})?$/i;
  const langName = /^(english|fran[cç]ais|french|deutsch|german|espa[nñ]ol|spanish|italiano|italian|portugu[eê]s(e)?|nederlands|dutch|русский|russian|中文|简体中文|繁體中文|chinese|日本語|japanese|한국어|korean|العربية|arabic|हिन्दी|hindi|polski|polish|svenska|swedish|t[uü]rk[cç]e|turkish|українська|ukrainian|[cč]e[sš]tina|czech|dansk|danish|suomi|finnish|norsk|norwegian|ελληνικά|greek|עברית|hebrew)(\s*\(.*\))?$/i;
  const isLanguage = s => {
    const named = `${labelOf(s)} ${s.name} ${s.id} ${(s.parentElement && s.parentElement.getAttribute('aria-label')) || ''}`;
    const options = Array.from(s.options).filter(o => o.value || text(o));
    return langWords.test(named.replace(/[_-]/g, ' ')) || (options.length >= 2 &&
      options.every(o => langName.test(text(o)) || langCode.test(text(o))));  // what a visitor reads
  };
  const sort = [], filters = [];
  for (const s of all('select')) {
    if (!shown(s) || entry(s) || s.options.length < 2 || isLanguage(s)) continue;
    const said = `${labelOf(s)} ${s.name} ${Array.from(s.options).map(text).join(' ')}`;
    (sortWords.test(said) ? sort : filters).push(labelOf(s) || s.name || text(s.options[1]));
  }
  for (const b of all('button, [role=button], [aria-pressed]')) {
    if (!shown(b) || b.closest('form')) continue;
    if (sortWords.test(text(b))) sort.push(text(b));
    else if (b.hasAttribute('aria-pressed') || b.closest('[role=tablist], [role=toolbar]')) filters.push(text(b));
  }
  // Entries of a content listing without prices (posts, recipes, notes): the link in each article's
  // heading (or its first link), or links that are headings themselves, outside navigation.
  const entries = [], taken = new Set();
  const addEntry = (a, box) => {
    if (!a || !shown(a) || a.closest('nav, header, footer') || taken.has(a.href) || !text(a)) return;
    taken.add(a.href);
    entries.push({name: text(a), href: a.href, price: '', text: text(box || a).slice(0, 200)});
  };
  for (const art of all('article')) {
    addEntry(art.querySelector('h1 a[href], h2 a[href], h3 a[href], h4 a[href]') || art.querySelector('a[href]'), art);
  }
  for (const a of all('h2 a[href], h3 a[href], h4 a[href]')) {
    addEntry(a, a.closest('li') || a.parentElement.parentElement);
  }
  return {forms, sort, filters, entries: entries.length >= 3 ? entries : []};
}
""".replace("/*GROUP*/", GROUP_JS + OPENER_JS)
# A server's index of files (Python's http.server, Apache, nginx, `serve`): not a page of an app.
_FILE_INDEX = re.compile(r"^(index of|directory listing for|listing of|files within)\b", re.IGNORECASE)
READY_TIMEOUT_S = 10.0  # the scout waits as long as a patient visitor for a page to render


@dataclass
class PageRead:
    """What one page showed the scout."""

    info: PageInfo
    view: PageView
    forms: list[FormInfo] = field(default_factory=list)
    sort: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)
    entries: list[Item] = field(default_factory=list)  # a listing's entries that have no price


async def read_page(page: Page, network: NetworkWatch, url: str, depth: int) -> PageRead | None:
    """Open `url` and read it once rendered (readiness: content there, nothing loading); None when it is
    not an HTML page."""
    response = await page.goto(url, wait_until="load")
    status = response.status if response is not None else 200
    kind = (response.headers.get("content-type", "text/html") if response is not None else "text/html").lower()
    if "html" not in kind:
        return None
    return await read_current(page, network, depth, status)


async def read_current(page: Page, network: NetworkWatch, depth: int, status: int = 200) -> PageRead:
    """Read the page as it is now, once ready (after a goto, or after a click that changed it in place)."""
    readiness = await wait_until_ready(page, network, READY_TIMEOUT_S)
    view = await read_view(page)
    found = await page.evaluate(_FORMS_JS)
    forms = []
    for raw in found["forms"]:
        form = FormInfo(page_url=view.url, **{**raw, "fields": [FieldInfo(**f) for f in raw["fields"]]})
        purpose = classify_form(form)
        # A form-less box counts when it is for something a visitor does there (adding an entry, say);
        # a live filter or search box outside a form is the search probe's, and a box for nothing known
        # is no form.
        if form.formless and purpose in (FormPurpose.SEARCH, FormPurpose.OTHER):
            continue
        forms.append(form.model_copy(update={"purpose": purpose}))
    listing = bool(_FILE_INDEX.match(view.title) or any(_FILE_INDEX.match(h) for h in view.headings[:1]))
    info = PageInfo(
        url=view.url,
        title=view.title,
        headings=view.headings[:12],
        status=status,
        depth=depth,
        buttons=sorted({b.text for b in view.buttons if b.text})[:20],
        n_links=len(view.links),
        n_forms=len(forms),
        n_items=len(view.items),
        file_listing=listing,
        not_ready=readiness.blocker if not readiness.ready else "",
    )
    entries = [Item(**entry) for entry in found["entries"]]
    return PageRead(info, view, forms, found["sort"], found["filters"], entries)
