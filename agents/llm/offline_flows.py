"""Offline heuristics for "derive_flows": the goal picks the flows, the scout's inventory makes them real.

- a sign-up goal: register, then do the first thing the app is for (write a first post, find an item);
- a finding goal: named items from the rendered listings (deepest first), and a browse of a category;
- a comparison goal: find the cheapest item (of a category when the items have categories);
- a checkout, contact or feedback goal: that form.
A flow the goal calls for that the inventory cannot support is dropped with the reason. "Explore the
site" is only a filler when nothing the goal asks for exists, and never asks for more pages than the
scout found. Deterministic: the same inventory and goal give the same plan (stable hashes, no random).
"""

from __future__ import annotations

import hashlib
import re

from agents.llm.offline_values import plausible_value
from agents.schemas import (
    DroppedFlow,
    FlowPlan,
    FlowSpec,
    FormInfo,
    FormPurpose,
    ItemInfo,
    ScoutInventory,
    StepSpec,
    TaskSpec,
)

MAX_ITEM_FLOWS = 3
# What a goal asks for, in the order its flows come; a goal may ask for several things.
_INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(words, re.IGNORECASE))
    for name, words in (
        ("sign_up", r"sign[ -]?up|regist|onboard|create (an |their |your |a )?account|\bjoin|new (user|member)s?"),
        ("create", r"\b(write|publish|compose|create|share|post)\b.{0,40}\b(posts?|entr(y|ies)|articles?|notes?|"
                   + r"stor(y|ies)|recipes?|reviews?|content)\b|first post"),
        ("compare", r"cheap|compar|lowest price|best (price|deal)|\bprices?\b|afford"),
        ("find", r"\bfind|search|discover|locat|look(ing)? for|brows|navigat|can'?t see|get to"),
        ("checkout", r"check ?out|purchase|\bbuy|\bpay|\border|\bcart\b|basket"),
        ("contact", r"contact|feedback|support|get in touch|reach (us|out)|enquir|inquir|message"),
        ("log_in", r"log ?in|sign ?in"),
    )
)
_CART = re.compile(r"add to (cart|bag|basket)|\bbuy\b", re.IGNORECASE)
_CREATE_LINK = re.compile(
    r"^\W*(new|write|compose|publish|create(?! (an |your )?account))\b|\b(new|add an?|write an?) "
    r"(post|entry|article|note|story|recipe|review)",
    re.IGNORECASE,
)
_NOUNS = re.compile(
    r"\b(posts?|articles?|entr(?:y|ies)|notes?|stor(?:y|ies)|recipes?|reviews?|questions?|ideas?|"
    r"projects?|events?|photos?|tasks?|todos?|threads?|topics?|snippets?|bookmarks?)\b",
    re.IGNORECASE,
)


def goal_intents(goal: str) -> list[str]:
    return [name for name, words in _INTENTS if words.search(goal)]


def derive_flows(goal: str, inventory: ScoutInventory) -> FlowPlan:
    planner = _Planner(goal, inventory)
    intents = goal_intents(goal)
    for intent in intents or ["any"]:
        getattr(planner, f"plan_{intent}")()
    if not planner.flows:
        planner.flows.append(_explore_flow(inventory, goal))
    flows = [flow.model_copy(update={"order": i}) for i, flow in enumerate(planner.flows, start=1)]
    return FlowPlan(flows=flows, dropped=planner.dropped)


def _stable(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class _Planner:
    def __init__(self, goal: str, inventory: ScoutInventory) -> None:
        self.goal, self.inv = goal, inventory
        self.flows: list[FlowSpec] = []
        self.dropped: list[DroppedFlow] = []
        self.read = f"the {len(inventory.pages)} page(s) the scout read"

    def add(self, flow: FlowSpec) -> None:
        if all(f.name != flow.name for f in self.flows):
            self.flows.append(flow)

    def drop(self, name: str, reason: str) -> None:
        if all(d.name != name for d in self.dropped) and all(f.name != name for f in self.flows):
            self.dropped.append(DroppedFlow(name=name, reason=reason))

    # -- what each kind of goal asks for -------------------------------------------------------
    def plan_any(self) -> None:
        """A goal that names no journey: what the app offers (items to find, the sign-up)."""
        self.plan_find(quiet=True)
        if self.inv.forms_for(FormPurpose.SIGN_UP):
            self.plan_sign_up()

    def plan_sign_up(self) -> None:
        forms = self.inv.forms_for(FormPurpose.SIGN_UP)
        if not forms:
            seen = [link.text for link in self.inv.links_seen if re.search(r"sign ?up|regist", link.text, re.IGNORECASE)]
            extra = f" (a link '{seen[0]}' leads to no form the scout could read)" if seen else ""
            self.drop("Sign up", f"no sign-up form on {self.read}{extra}")
            return
        self.add(_signup_flow(self.inv, forms[0]))

    def plan_create(self) -> None:
        forms = self.inv.forms_for(FormPurpose.CREATE)
        if forms:
            noun = _noun(self.inv, forms[0])
            self.add(_form_flow(forms[0], f"Write a first {noun}", f"write and publish a first {noun}"))
        elif self.inv.forms_for(FormPurpose.SIGN_UP):
            self.plan_sign_up()  # creating is for members: the journey signs up first
        else:
            self.drop("Write a first post", f"no form to create content and no sign-up form on {self.read}")

    def plan_find(self, quiet: bool = False) -> None:
        items = _reachable_items(self.inv)
        if not items:
            if not quiet:
                self.drop("Find a named item", f"no listing with items on {self.read}")
            return
        for item in _pick_items(self.inv, items):
            self.add(_find_flow(self.inv, item))
        self.add(_browse_flow(self.inv, items))

    def plan_compare(self) -> None:
        priced = [i for i in _reachable_items(self.inv) if i.price_value is not None]
        groups = {c: [i for i in priced if i.category == c] for c in sorted({i.category for i in priced if i.category})}
        candidates = [g for g in groups.values() if len(g) >= 2 and _unique_min(g)] or (
            [priced] if len(priced) >= 2 and _unique_min(priced) else []
        )
        if not candidates:
            why = "fewer than two items with a price" if len(priced) < 2 else "the lowest price is shared"
            self.drop("Find the cheapest item", f"{why} among the items on {self.read}")
            return
        group = candidates[int(_stable(self.inv.url), 16) % len(candidates)]
        self.add(_cheapest_flow(self.inv, group, len(priced)))

    def plan_checkout(self) -> None:
        forms = self.inv.forms_for(FormPurpose.CHECKOUT)
        if forms:
            self.add(_form_flow(forms[0], "Complete the checkout", "place an order through the checkout form"))
            return
        self.drop("Complete the checkout", f"no checkout form on {self.read} (it may need a full cart)")
        items = [i for i in _reachable_items(self.inv)]
        if items and _has_cart(self.inv):  # the part of buying the scout can see: getting it into the cart
            self.add(_find_flow(self.inv, _pick_items(self.inv, items)[0]))

    def plan_contact(self) -> None:
        forms = self.inv.forms_for(FormPurpose.CONTACT)
        if forms:
            self.add(_form_flow(forms[0], "Send a message", "send the site a message through its contact form"))
        else:
            self.drop("Send a message", f"no contact or feedback form on {self.read}")

    def plan_log_in(self) -> None:
        if not self.inv.forms_for(FormPurpose.LOG_IN):
            self.drop("Log in", f"no log-in form on {self.read}")
        elif not self.inv.forms_for(FormPurpose.SIGN_UP):
            self.drop("Log in", "a log-in needs an account and there is no sign-up form to make one")
        else:
            self.plan_sign_up()


# -- items -------------------------------------------------------------------------------------
def _reachable_items(inv: ScoutInventory) -> list[ItemInfo]:
    """Named items with a link on this site: the scout reached their listing by links from the start."""
    origin = re.match(r"^[a-z]+://[^/]+", inv.url.lower())
    unique: dict[str, ItemInfo] = {}
    for item in inv.items:
        key = item.name.strip().lower()
        if key and (origin is None or item.href.lower().startswith(origin.group(0))):
            unique.setdefault(key, item)
    return list(unique.values())


def _depth(item: ItemInfo, deepest: int, url: str) -> float:
    """Position in the listing: 0 for the first page, 1 for the last page seen."""
    if deepest > 1:
        return (item.page - 1) / (deepest - 1)
    return 0.5 if item.found_on.rstrip("/") not in ("", url.rstrip("/")) else 0.0


def _pick_items(inv: ScoutInventory, items: list[ItemInfo]) -> list[ItemInfo]:
    """Up to MAX_ITEM_FLOWS targets, deepest first (the real test of findability), distinct categories first."""
    deepest = max(i.page for i in items)
    depths = [_depth(i, deepest, inv.url) for i in items]
    if not any(depths):  # no page information: later in the listing is further
        depths = [0.5 if n >= len(items) // 2 else 0.0 for n in range(len(items))]
    tiers = [
        [i for i, d in zip(items, depths, strict=True) if d > 0.6],
        [i for i, d in zip(items, depths, strict=True) if 0 < d <= 0.6],
        [i for i, d in zip(items, depths, strict=True) if d == 0],
    ]
    picked: list[ItemInfo] = []
    for pool in tiers:
        ranked = sorted(pool, key=lambda i: _stable(inv.url + i.name))
        categories = {i.category for i in picked}
        for item in ranked:
            if len(picked) < MAX_ITEM_FLOWS and (not item.category or item.category not in categories):
                picked.append(item)
                categories.add(item.category)
        picked += [i for i in ranked if i not in picked][: MAX_ITEM_FLOWS - len(picked)]
    return picked


def _has_cart(inv: ScoutInventory) -> bool:
    return any(_CART.search(b) for page in inv.pages for b in page.buttons)


def _search_note(inv: ScoutInventory) -> str:
    if not inv.controls.search:
        return ""
    return f" The site has a search box ({inv.controls.search_probe or 'not tried'})."


def _find_flow(inv: ScoutInventory, item: ItemInfo) -> FlowSpec:
    cart = _has_cart(inv)
    where = f" It should be in the {item.category} section." if item.category else ""
    then = ", and add it to your cart" if cart else ", and open its page"
    return FlowSpec(
        name=f"Find {item.name}" + (" and add it to the cart" if cart else ""),
        description=f"Find a specific item ({item.name}, listing page {item.page}){then}.{_search_note(inv)}",
        instructions=(
            f'You are looking for "{item.name}" on this site.{where} Look around the way you normally would '
            f"(links, menus or the site's own search), find its page{then}. Say so if you cannot find it."
        ),
        task=TaskSpec(kind="find_item", params={
            "item_name": item.name, "category": item.category, "add_to_cart": cart}),
    )


def _cheapest_flow(inv: ScoutInventory, group: list[ItemInfo], seen: int) -> FlowSpec:
    cheapest = min(group, key=lambda i: (i.price_value, i.name))
    category = cheapest.category if all(i.category == cheapest.category for i in group) else ""
    thing = f"{category} item" if category else "item"
    cart = _has_cart(inv)
    return FlowSpec(
        name=f"Find the cheapest {thing}",
        description=(f"Find the cheapest {thing} ({cheapest.name}, {cheapest.price}: the lowest price of the "
                     f"{len(group)} such items among the {seen} priced items the scout saw)."),
        instructions=(
            f"You want the cheapest {thing} this site sells. Compare prices the way you normally would "
            f"(sorting, filters, or reading the listings), then open the cheapest one"
            + (" and add it to your cart." if cart else ".")
        ),
        task=TaskSpec(kind="find_item", params={
            "item_name": cheapest.name, "category": category, "add_to_cart": cart, "criterion": "cheapest"}),
    )


def _browse_flow(inv: ScoutInventory, items: list[ItemInfo]) -> FlowSpec:
    categories = sorted({i.category for i in items if i.category})
    category = categories[int(_stable(inv.url), 16) % len(categories)] if categories else ""
    focus = f"the {category} items" if category else "what the site lists"
    return FlowSpec(
        name=f"Browse {category or 'the listings'}",
        description=f"Browse: look through {focus} and compare a few of them.",
        instructions=(
            f"You have nothing particular in mind. Look through {focus}, open a few that interest you and "
            "compare them. Notice anything that makes this hard."
        ),
        task=TaskSpec(kind="explore", params={"max_pages": _max_pages(inv), "category": category}),
    )


# -- forms -------------------------------------------------------------------------------------
def form_values(form: FormInfo) -> dict[str, object]:
    """What a person fills: the required fields when the form marks them, else every field."""
    fields = [f for f in form.fields if f.name]
    if any(f.required for f in fields):
        fields = [f for f in fields if f.required]
    return {f.name: value for f in fields if (value := plausible_value(f, form.purpose)) is not None}


def _form_step(form: FormInfo, optional: bool = False) -> StepSpec:
    return StepSpec(kind="complete_form", optional=optional, params={
        "form_hint": form.purpose.value, "form_selector": form.selector, "page_url": form.page_url,
        "values": form_values(form)})


def _form_flow(form: FormInfo, name: str, what: str) -> FlowSpec:
    step = _form_step(form)
    return FlowSpec(
        name=name,
        description=f"{name}: the form '{form.heading or form.submit_text}' on {form.page_url}.",
        instructions=(
            f"You want to {what}. Find the form, fill it in with your details, fix anything it "
            "complains about, and submit it until the site confirms."
        ),
        task=TaskSpec(kind="complete_form", params=step.params),
    )


def _signup_flow(inv: ScoutInventory, form: FormInfo) -> FlowSpec:
    """Register, then the first thing the app is for; a sign-up alone when the app shows nothing more."""
    signup = _form_step(form)
    then, what = _first_thing(inv)
    if then is None:
        flow = _form_flow(form, "Complete the sign-up", "create an account on this site")
        return flow.model_copy(update={"instructions": (
            "You want to create an account on this site. Fill in the sign-up form with your details, fix "
            "anything it complains about, and submit it until you are signed up.")})
    steps = [signup]
    logins = inv.forms_for(FormPurpose.LOG_IN)
    if logins:  # some apps sign the new member in, others send them to log in: optional
        creds = {k: v for k, v in signup.params["values"].items() if re.search(r"user|login|mail|pass|name", k, re.IGNORECASE)}
        login = _form_step(logins[0], optional=True)
        steps.append(login.model_copy(update={"params": {**login.params, "values": creds}}))
    steps.append(then)
    return FlowSpec(
        name=f"Sign up, then {what}",
        description=(f"A new visitor registers (the form on {form.page_url}) and then tries to {what}"
                     + ("" if then.params.get("page_url") or then.kind != "complete_form"
                        else ": the scout could not see that form before signing up") + "."),
        instructions=(
            f"You are new here. Create an account, then {what}. Fill in what each form asks, fix anything "
            "it complains about, and keep going until the site shows it is done."
        ),
        task=TaskSpec(kind="journey", params={"steps": [s.model_dump() for s in steps]}),
    )


def _first_thing(inv: ScoutInventory) -> tuple[StepSpec | None, str]:
    """What a new member does first: create (a form seen, a link to one, or content to add to), or find an item."""
    creates = inv.forms_for(FormPurpose.CREATE)
    if creates:
        return _form_step(creates[0]), f"write a first {_noun(inv, creates[0])}"
    linked = any(_CREATE_LINK.search(link.text) for link in inv.links_seen)
    if linked or _content_noun(inv):
        noun = _noun(inv, None)
        values = {"title": f"My first {noun}", "body": f"Hello! This is my first {noun} here, just trying it out."}
        return StepSpec(kind="complete_form", params={"form_hint": "create", "values": values}), f"write a first {noun}"
    items = _reachable_items(inv)
    if items:
        item = _pick_items(inv, items)[0]
        cart = _has_cart(inv)
        step = StepSpec(kind="find_item", params={"item_name": item.name, "category": item.category, "add_to_cart": cart})
        return step, f"find {item.name}" + (" and add it to the cart" if cart else "")
    return None, ""


def _content_noun(inv: ScoutInventory) -> str:
    said = " ".join([inv.title, *(h for p in inv.pages[:1] for h in p.headings), *(n.text for n in inv.navigation)])
    match = _NOUNS.search(said)
    return match.group(1).lower() if match else ""


def _noun(inv: ScoutInventory, form: FormInfo | None) -> str:
    said = " ".join([form.heading, form.submit_text] if form else [])
    said += " " + " ".join(link.text for link in inv.links_seen if _CREATE_LINK.search(link.text))
    match = _NOUNS.search(said)
    word = match.group(1).lower() if match else _content_noun(inv) or "post"
    return re.sub(r"ies$", "y", word) if word.endswith("ies") else word.removesuffix("s") if len(word) > 3 else word


def _unique_min(items: list[ItemInfo]) -> bool:
    prices = sorted(i.price_value for i in items if i.price_value is not None)
    return len(prices) >= 2 and prices[0] < prices[1]


def _max_pages(inv: ScoutInventory) -> int:
    """Never more pages than the app has: a one-page app offers one."""
    return max(1, min(5, len(inv.app_pages)))


def _explore_flow(inv: ScoutInventory, goal: str) -> FlowSpec:
    return FlowSpec(
        name="Explore the site",
        description=f"Explore {inv.title or inv.url} with the goal in mind: {goal}",
        instructions=(
            "Look around this site as a first-time visitor would. Try to understand what it offers and "
            f"keep this in mind: {goal}. Note anything confusing or broken."
        ),
        task=TaskSpec(kind="explore", params={"max_pages": _max_pages(inv)}),
    )
