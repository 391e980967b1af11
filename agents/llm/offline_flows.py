"""Offline heuristics for "derive_flows": test flows read from a first look at a site.

Deterministic: the same snapshot and goal always give the same plan (choices use a stable hash,
never random). Targets are real items/forms seen in the snapshot, never invented.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from agents.schemas import FlowPlan, FlowSpec, SiteSnapshot, TaskSpec

MAX_ITEM_FLOWS = 3
_FORM_WORDS = ("sign", "register", "form", "account", "password", "onboard", "checkout")
_SKIP_FIELD_TYPES = {"hidden", "submit", "button", "reset", "image", "file"}


def derive_flows(goal: str, snapshot: SiteSnapshot) -> FlowPlan:
    item_flows = _item_flows(snapshot)
    form_flows = _form_flows(snapshot)
    if not item_flows and not form_flows:
        flows = [_explore_flow(snapshot, goal)]
    elif any(word in goal.lower() for word in _FORM_WORDS) and form_flows:
        flows = form_flows + item_flows  # the goal is about the form: its flow comes first
    else:
        flows = item_flows + form_flows
    return FlowPlan(flows=[flow.model_copy(update={"order": i}) for i, flow in enumerate(flows, start=1)])


def _stable(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _depth_tiers(snapshot: SiteSnapshot) -> list[list[dict[str, Any]]]:
    """Named, de-duplicated items, deepest first: (last ~third of the listing, other later pages, page 1).

    Items a visitor only reaches after paging far are the real test of how findable things are.
    """
    unique: dict[str, dict[str, Any]] = {}
    for item in snapshot.items:
        key = str(item.get("name", "")).strip().lower()
        if key and key not in unique:
            unique[key] = item
    items = list(unique.values())

    def depth(index: int, item: dict[str, Any]) -> float:
        """Position in the listing as a fraction: 0 for the first page, 1 for the last page seen."""
        pages = [i["page"] for i in items if isinstance(i.get("page"), int)]
        if isinstance(item.get("page"), int) and max(pages) > 1:
            return (item["page"] - 1) / (max(pages) - 1)
        found_on = item.get("found_on") or item.get("listing_url")
        if found_on:
            return 0.5 if str(found_on).rstrip("/") != snapshot.url.rstrip("/") else 0.0
        return 0.5 if index >= len(items) // 2 else 0.0  # no page info: later in the listing is further

    depths = [depth(i, item) for i, item in enumerate(items)]
    deepest = [item for item, d in zip(items, depths, strict=True) if d > 0.6]
    deeper = [item for item, d in zip(items, depths, strict=True) if 0 < d <= 0.6]
    return [deepest, deeper, [item for item, d in zip(items, depths, strict=True) if d == 0]]


def _pick_items(snapshot: SiteSnapshot) -> list[dict[str, Any]]:
    """Up to MAX_ITEM_FLOWS targets, deepest items first, one per category where categories are known."""
    picked: list[dict[str, Any]] = []
    for pool in _depth_tiers(snapshot):
        ranked = sorted(pool, key=lambda item: _stable(snapshot.url + str(item["name"])))
        categories = {str(item.get("category") or "") for item in picked}
        for item in ranked:  # distinct categories first, then whatever is left
            category = str(item.get("category") or "")
            if len(picked) < MAX_ITEM_FLOWS and (not category or category not in categories):
                picked.append(item)
                categories.add(category)
        picked += [item for item in ranked if item not in picked][: MAX_ITEM_FLOWS - len(picked)]
    return picked


def _item_flows(snapshot: SiteSnapshot) -> list[FlowSpec]:
    flows = []
    for item in _pick_items(snapshot):
        name = str(item["name"]).strip()
        category = str(item.get("category") or "")
        where = f" It should be in the {category} section." if category else ""
        flows.append(
            FlowSpec(
                name=f"Find {name} and add it to the cart",
                description=f"Find a specific product ({name}) and add it to the cart.",
                instructions=(
                    f'You are shopping on this site and want to buy "{name}".{where} '
                    "Look around the way you normally would, find its product page, "
                    "and add it to your cart. Say so if you cannot find it."
                ),
                task=TaskSpec(
                    kind="find_item", params={"item_name": name, "category": category, "add_to_cart": True}
                ),
            )
        )
    if flows:
        categories = sorted({str(i.get("category")) for i in snapshot.items if i.get("category")})
        category = categories[int(_stable(snapshot.url), 16) % len(categories)] if categories else ""
        focus = f"the {category} products" if category else "one kind of product"
        flows.append(
            FlowSpec(
                name=f"Browse {category or 'a category'}",
                description=f"Browse a category: look through {focus} and compare a few of them.",
                instructions=(
                    f"You have no particular product in mind. Look through {focus}, open a few that "
                    "interest you and compare them. Notice anything that makes this hard."
                ),
                task=TaskSpec(kind="explore", params={"max_pages": 5, "category": category}),
            )
        )
    return flows


def _is_signup_form(form: dict[str, Any]) -> bool:
    fields = [
        f for f in form.get("fields", []) if str(f.get("type", "text")).lower() not in _SKIP_FIELD_TYPES
    ]
    types = {str(f.get("type", "")).lower() for f in fields}
    return len(fields) >= 2 and bool(types & {"email", "password"})


def _form_selector(form: dict[str, Any], index: int) -> str:
    if form.get("selector"):
        return str(form["selector"])
    if form.get("id"):
        return f"form#{form['id']}"
    if form.get("action"):
        return f'form[action="{form["action"]}"]'
    return f"form:nth-of-type({index + 1})"


def _form_flows(snapshot: SiteSnapshot) -> list[FlowSpec]:
    flows = []
    for index, form in enumerate(snapshot.forms):
        if not _is_signup_form(form):
            continue
        fields = [f for f in form.get("fields", []) if f.get("name")]
        # People fill what is required and skip optional extras (fax, newsletter) when the form says which.
        if any(f.get("required") for f in fields):
            fields = [f for f in fields if f.get("required")]
        values = {str(f["name"]): value for f in fields if (value := plausible_value(f)) is not None}
        flows.append(
            FlowSpec(
                name="Complete the sign-up",
                description="Create an account by filling in and submitting the sign-up form.",
                instructions=(
                    "You want to create an account on this site. Fill in the sign-up form with your "
                    "details, fix anything it complains about, and submit it until you are signed up."
                ),
                task=TaskSpec(
                    kind="complete_form",
                    params={
                        "form_hint": "signup",
                        "form_selector": _form_selector(form, index),
                        "values": values,
                    },
                ),
            )
        )
        break  # one sign-up flow: a second form on the same page is usually the same journey
    return flows


def _explore_flow(snapshot: SiteSnapshot, goal: str) -> FlowSpec:
    return FlowSpec(
        name="Explore the site",
        description=f"Explore {snapshot.title or snapshot.url} with the goal in mind: {goal}",
        instructions=(
            "Look around this site as a first-time visitor would. Try to understand what it offers and "
            f"keep this in mind: {goal}. Note anything confusing or broken."
        ),
        task=TaskSpec(kind="explore", params={"max_pages": 5}),
    )


_PLACEHOLDER = re.compile(r"^(-|select|choose|please|pick)", re.IGNORECASE)
# What a real person types, not what a hidden rule wants: the flow must not know rules the page does not
# state (the simulated user adapts only to what the page shows), so these plausibly break such rules.
_PASSWORD = "sunflower22"
_PHONE = "555-123-4567"
_BY_KEYWORD: tuple[tuple[tuple[str, ...], Any], ...] = (
    (("password", "passwd"), _PASSWORD),
    (("email", "e-mail"), "alex.morgan@example.com"),
    (("username", "user name", "login", "handle"), "alexmorgan42"),
    (("first", "given"), "Alex"),
    (("last", "surname", "family"), "Morgan"),
    (("full name", "fullname", "your name"), "Alex Morgan"),
    (("phone", "mobile", "tel"), _PHONE),
    (("birth", "dob", "birthday"), "1990-04-15"),
    (("age",), "34"),
    (("zip", "postal", "postcode"), "94110"),
    (("city", "town"), "San Francisco"),
    (("country",), "United States"),
    (("state", "region", "province"), "CA"),
    (("line2", "line 2", "apartment", "suite", "unit"), "Apt 4"),
    (("address", "street"), "12 Market Street"),
    (("company", "organisation", "organization", "employer"), "Acme Ltd"),
    (("website", "url", "homepage"), "https://example.com"),
    (("job", "role", "position", "occupation"), "Product manager"),
    (("terms", "agree", "consent", "accept", "privacy"), True),
    (("name",), "Alex Morgan"),
)
_BY_TYPE: dict[str, Any] = {
    "email": "alex.morgan@example.com",
    "password": _PASSWORD,
    "tel": _PHONE,
    "date": "1990-04-15",
    "number": "3",
    "url": "https://example.com",
    "checkbox": True,
}


def plausible_value(field: dict[str, Any]) -> Any:
    """A natural value for a form field, from its type, name and label; None to leave it alone."""
    kind = str(field.get("type", "text")).lower()
    if kind in _SKIP_FIELD_TYPES:
        return None
    if kind == "select" or field.get("options"):
        options = [
            str(o.get("value", "") if isinstance(o, dict) else o).strip() for o in field.get("options", [])
        ]
        real = [o for o in options if o and not _PLACEHOLDER.match(o)]  # skip "Choose one..." entries
        return real[0] if real else None
    if kind in ("email", "password", "tel", "date", "url"):
        return _BY_TYPE[kind]
    words = f"{field.get('name', '')} {field.get('label', '')}"
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|[_\-]+", " ", words).lower()  # firstName, first_name -> first name
    for keywords, value in _BY_KEYWORD:
        if any(re.search(rf"\b{re.escape(k)}", words) for k in keywords):
            return value if kind != "checkbox" or isinstance(value, bool) else True
    return _BY_TYPE.get(kind, "Just browsing")
