"""What the checks of behaviour_flows.py and behaviour_nav.py share: page functions, waiting for a page
to settle, following a click, filling a form with valid values.

behaviour.py registers those checks (behaviour_more.py) at its end, so none of these modules may
import it at load time: its own helpers (Verdict, _form_field, _listing ...) are reached through
core() when a check runs.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress
from types import ModuleType
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

if TYPE_CHECKING:
    from agents.code.behaviour import Verdict

Attempt = Callable[[Page], Awaitable["Verdict | None"]]
PASSWORD = "Vl-check-Pass-2024!"  # long, with every kind of character a password rule asks for
HELPERS_JS = r"""
function vlVisible(el) {
  if (!el || !el.isConnected) return false;
  var style = getComputedStyle(el);
  return el.getClientRects().length > 0 && style.visibility !== "hidden" && style.display !== "none";
}
function vlOwn(el) {
  return Array.from(el.childNodes).filter(function (n) { return n.nodeType === 3; })
    .map(function (n) { return n.textContent; }).join(" ").replace(/\s+/g, " ").trim();
}
function vlSay(el) { return (el.innerText || el.value || el.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim(); }
"""


def page_js(function: str) -> str:
    """A page function that can call HELPERS_JS (Playwright calls what the expression evaluates to)."""
    return f"(() => {{ {HELPERS_JS} return ({function.strip()}); }})()"


def core() -> ModuleType:
    """behaviour.py, whose helpers (Verdict, _form_field, _listing ...) these checks build on."""
    from agents.code import behaviour

    return behaviour


async def steady(page: Page) -> None:
    """Wait until the page has loaded and its DOM has stopped changing for a moment (as behaviour._open)."""
    with suppress(PlaywrightError):
        await page.wait_for_load_state("load", timeout=5_000)
    previous = -1
    for _ in range(40):
        try:
            size = await page.evaluate("document.getElementsByTagName('*').length")
        except PlaywrightError:  # a navigation replaced the document: wait for the new one
            await page.wait_for_timeout(100)
            continue
        if size == previous:
            return
        previous = size
        await page.wait_for_timeout(60)


async def follow(page: Page, click: Callable[[], Awaitable[Any]]) -> tuple[str, int | None, bool]:
    """Click, wait for what it opens; (url now, HTTP status of a page it loaded, whether focus went to a field)."""
    statuses: list[int] = []

    def seen(response: Any) -> None:
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            statuses.append(response.status)

    page.on("response", seen)
    before = page.url
    try:
        await click()
        for _ in range(30):
            await page.wait_for_timeout(100)
            if page.url != before or statuses:
                break
        await steady(page)
        focused = await page.evaluate(
            "() => !!document.activeElement && /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)")
    finally:
        page.remove_listener("response", seen)
    return page.url, statuses[-1] if statuses else None, focused


def _value(info: dict[str, Any], token: str) -> str:
    """A valid value for a field, from its type and what it is called."""
    kind, hints = info["type"], f"{info['name']} {info['label']}".lower()
    fixed = {"email": f"vl.{token}@example.com", "password": PASSWORD, "tel": "+15550100199", "url": "https://example.com",
             "date": "1990-04-12", "datetime-local": "2030-01-15T10:00", "month": "2030-01", "time": "10:00",
             "week": "2030-W03", "color": "#336699"}
    if kind in fixed:
        return fixed[kind]
    if kind == "number" or kind == "range":
        return str(info["min"] or ("30" if "age" in hints else "1"))
    for pattern, value in ((r"mail", f"vl.{token}@example.com"), (r"phone|mobile", "+15550100199"),
                           (r"user|login|handle|nick", f"alex{token}"), (r"first|given", "Alex"),
                           (r"last|surname|family", "Morgan"), (r"name", "Alex Morgan"),
                           (r"zip|postal|postcode", "10001"), (r"city|town", "Springfield"),
                           (r"country", "United States"), (r"address|street", "1 Main Street"),
                           (r"company|organi[sz]ation", "Acme"), (r"title|job|role", "Engineer")):
        if re.search(pattern, hints):
            return value
    return "Trying this out for the first time." if info["tag"] == "textarea" else f"Alex {token}"


FIELD_JS = """el => ({tag: el.tagName.toLowerCase(), type: (el.type || "").toLowerCase(), name: el.name || el.id || "",
  label: ((el.labels && el.labels[0] ? el.labels[0].innerText : "") + " " + (el.placeholder || "") + " "
         + (el.getAttribute("aria-label") || "")), required: el.required, min: el.min || "", minLength: el.minLength,
  maxLength: el.maxLength, value: el.value || "", checked: !!el.checked})"""


async def fill_form(form: Locator) -> None:
    """Fill every visible field with a valid value, as a careful person would (required boxes ticked)."""
    token = uuid.uuid4().hex[:6]  # a new account each time: the same preview is signed up to twice
    fields = form.locator("input:visible, select:visible, textarea:visible")
    radios: set[str] = set()
    for i in range(await fields.count()):
        field = fields.nth(i)
        info = await field.evaluate(FIELD_JS)
        kind = info["type"]
        if kind in ("hidden", "submit", "button", "reset", "image", "file"):
            continue
        if kind == "checkbox":
            if info["required"] and not info["checked"]:
                await field.check()
        elif kind == "radio":
            if info["name"] not in radios:
                radios.add(info["name"])
                await field.check()
        elif info["tag"] == "select":
            options = await field.locator("option").evaluate_all(
                "os => os.filter(o => o.value && !o.disabled).map(o => o.value)")
            if options:
                await field.select_option(options[0])
        elif not info["value"] or kind in ("password", "email"):
            value = _value(info, token)
            if info["minLength"] and len(value) < info["minLength"]:
                value += "x" * (info["minLength"] - len(value))
            await field.fill(value[: info["maxLength"]] if info["maxLength"] > 0 else value)


