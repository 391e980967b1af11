"""A first look at a live site: what a new visitor sees, enough to derive test flows from."""

from __future__ import annotations

from playwright.async_api import async_playwright

from agents.browser.chromium import check_reachable, launch, origin_proxy
from agents.browser.page_view import PageView, read_view, selector
from agents.browser.sync import run_sync
from agents.schemas import PageLink, SiteSnapshot

_MAX_PAGES = 8  # listing pages followed through "next": deep items make the real find tasks
_FORMS_JS = """
() => Array.from(document.forms).map(f => ({action: f.getAttribute('action') || '', method: f.method,
  fields: Array.from(f.elements).filter(e => e.name && !['hidden', 'submit', 'button'].includes(e.type)).map(e => {
    const l = (e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`)) || e.closest('label');
    return {name: e.name, type: e.type || e.tagName.toLowerCase(), required: !!e.required,
            label: ((l && l.innerText) || e.getAttribute('aria-label') || e.placeholder || '').trim()};
  })}))
"""


def first_look(url: str) -> SiteSnapshot:
    check_reachable(url)
    return run_sync(_first_look(url))


async def _first_look(url: str) -> SiteSnapshot:
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            context = await browser.new_context(proxy=origin_proxy(url))
            page = await context.new_page()
            await page.goto(url, wait_until="load")
            first = await read_view(page)
            forms = await page.evaluate(_FORMS_JS)
            items = _items(first, 1)
            view: PageView = first
            for page_number in range(2, _MAX_PAGES + 1):
                nxt = view.next_link()
                if nxt is None:
                    break
                await page.locator(selector(nxt)).first.click()
                await page.wait_for_load_state("load")
                view = await read_view(page)
                seen = {i["href"] for i in items}
                items += [i for i in _items(view, page_number) if i["href"] not in seen]
        finally:
            await browser.close()
    return SiteSnapshot(
        url=url,
        title=first.title,
        headings=first.headings,
        links=[PageLink(text=link["text"], href=link["href"]) for link in first.links],
        forms=forms,
        buttons=[b["text"] for b in first.buttons if b["text"]],
        has_search=first.search_input() is not None,
        text_sample=first.text[:1000],
        items=items,
    )


def _items(view: PageView, page_number: int) -> list[dict[str, object]]:
    # page / found_on say how deep in the listing an item sits (deeper items make harder find tasks).
    return [
        {
            "name": i["name"],
            "href": i["href"],
            "price": i["price"],
            "text": i["text"],
            "page": page_number,
            "found_on": view.url,
        }
        for i in view.items
    ]
