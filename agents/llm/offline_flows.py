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

import re

from agents.llm.offline_forms import form_flow, noun_of, signup_flow
from agents.llm.offline_items import (
    browse_flow,
    cheapest_flow,
    find_flow,
    has_cart,
    max_pages,
    pick_items,
    reachable_items,
    stable,
    unique_min,
)
from agents.schemas import DroppedFlow, FlowPlan, FlowSpec, FormPurpose, ScoutInventory, TaskSpec

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
# Making any kind of thing ("add their first product", "their todo was added"): a create goal only
# when the scout found a form that creates something (the noun alone says nothing of the app).
_MAKES = re.compile(
    # "add and complete tasks", "add, rename and remove items"
    r"\b(?:add|adding|create|creating|save|saving)(?:\s*,\s*(?!and\b|or\b)[a-z]+)*(?:,?\s+(?:and|or|&)\s+[a-z]+)?\s+"
    r"(?:(?:their|your|a|an|the|new|first|some|more|my)\s+){0,3}"
    r"(?!(?:account|user|member)s?\b|(?:it|them|items?|products?)?\s*to (?:the |their |your )?(?:cart|basket|bag))"
    r"([a-z][a-z-]+)"
    r"|\b([a-z][a-z-]+)s? (?:was|were|is|are|has been|have been|got|gets|get) (?:added|created|saved)\b",
    re.IGNORECASE,
)
_NOT_A_THING = {"it", "them", "this", "that", "something", "anything", "to", "and", "or", "a", "an", "the", "their",
                "your", "my", "new", "first", "some", "more", "user", "users", "account", "accounts"}


def goal_intents(goal: str, inventory: ScoutInventory | None = None) -> list[str]:
    """What the goal asks for, in _INTENTS order; with an inventory, also making anything it has a form for."""
    found = [name for name, words in _INTENTS if words.search(goal)]
    if "create" not in found and inventory is not None and made_noun(goal) and inventory.forms_for(FormPurpose.CREATE):
        order = [name for name, _ in _INTENTS]
        found = sorted([*found, "create"], key=order.index)
    return found


def made_noun(goal: str) -> str | None:
    """The thing a goal says users add or create ("product" in "add their first product")."""
    for match in _MAKES.finditer(goal):
        noun = (match.group(1) or match.group(2) or "").lower()
        if noun and noun not in _NOT_A_THING:
            return re.sub(r"ies$", "y", noun) if noun.endswith("ies") else noun.removesuffix("s") if len(noun) > 3 else noun
    return None


def derive_flows(goal: str, inventory: ScoutInventory) -> FlowPlan:
    planner = _Planner(goal, inventory)
    intents = goal_intents(goal, inventory)
    for intent in intents or ["any"]:
        getattr(planner, f"plan_{intent}")()
    if not planner.flows:
        planner.flows.append(_explore_flow(inventory, goal))
    flows = [flow.model_copy(update={"order": i}) for i, flow in enumerate(planner.flows, start=1)]
    return FlowPlan(flows=flows, dropped=planner.dropped)


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
        """A goal that names no journey: what the app offers (items to find, the sign-up; else a form
        it has for making something or for writing to it, rather than an exploration)."""
        self.plan_find(quiet=True)
        if self.inv.forms_for(FormPurpose.SIGN_UP):
            self.plan_sign_up()
        if not self.flows and self.inv.forms_for(FormPurpose.CREATE):
            self.plan_create()
        if not self.flows and self.inv.forms_for(FormPurpose.CONTACT):
            self.plan_contact()

    def plan_sign_up(self) -> None:
        forms = self.inv.forms_for(FormPurpose.SIGN_UP)
        if not forms:
            seen = [link.text for link in self.inv.links_seen if re.search(r"sign ?up|regist", link.text, re.IGNORECASE)]
            extra = f" (a link '{seen[0]}' leads to no form the scout could read)" if seen else ""
            self.drop("Sign up", f"no sign-up form on {self.read}{extra}")
            return
        self.add(signup_flow(self.inv, forms[0]))

    def plan_create(self) -> None:
        forms = self.inv.forms_for(FormPurpose.CREATE)
        if any(f.task.kind == "journey" and f.task.steps()[-1].params.get("form_hint") == "create" for f in self.flows):
            return  # the sign-up journey already ends by creating something
        if forms:
            if not dict(_INTENTS)["create"].search(self.goal) and (named := made_noun(self.goal)):
                # "add their first product": the goal's own verb and noun name the flow.
                self.add(form_flow(forms[0], f"Add a first {named}", f"add a first {named}"))
                return
            noun = noun_of(self.inv, forms[0])
            self.add(form_flow(forms[0], f"Write a first {noun}", f"write and publish a first {noun}"))
        elif self.inv.forms_for(FormPurpose.SIGN_UP):
            self.plan_sign_up()  # creating is for members: the journey signs up first
        else:
            self.drop("Write a first post", f"no form to create content and no sign-up form on {self.read}")

    def plan_find(self, quiet: bool = False) -> None:
        items = reachable_items(self.inv)
        if not items:
            if not quiet:
                self.drop("Find a named item", f"no listing with items on {self.read}")
            return
        for item in pick_items(self.inv, items):
            self.add(find_flow(self.inv, item))
        self.add(browse_flow(self.inv, items))

    def plan_compare(self) -> None:
        priced = [i for i in reachable_items(self.inv) if i.price_value is not None]
        groups = {c: [i for i in priced if i.category == c] for c in sorted({i.category for i in priced if i.category})}
        candidates = [g for g in groups.values() if len(g) >= 2 and unique_min(g)] or (
            [priced] if len(priced) >= 2 and unique_min(priced) else []
        )
        if not candidates:
            why = "fewer than two items with a price" if len(priced) < 2 else "the lowest price is shared"
            self.drop("Find the cheapest item", f"{why} among the items on {self.read}")
            return
        group = candidates[int(stable(self.inv.url), 16) % len(candidates)]
        self.add(cheapest_flow(self.inv, group, len(priced)))

    def plan_checkout(self) -> None:
        forms = self.inv.forms_for(FormPurpose.CHECKOUT)
        if forms:
            self.add(form_flow(forms[0], "Complete the checkout", "place an order through the checkout form"))
            return
        self.drop("Complete the checkout", f"no checkout form on {self.read} (it may need a full cart)")
        items = [i for i in reachable_items(self.inv)]
        if items and has_cart(self.inv):  # the part of buying the scout can see: getting it into the cart
            self.add(find_flow(self.inv, pick_items(self.inv, items)[0]))

    def plan_contact(self) -> None:
        forms = self.inv.forms_for(FormPurpose.CONTACT)
        if forms:
            self.add(form_flow(forms[0], "Send a message", "send the site a message through its contact form"))
        elif self.inv.forms_for(FormPurpose.CREATE) and re.search(r"\b(post|write|leave)\b", self.goal, re.IGNORECASE):
            self.plan_create()  # a message board: "post a message" is making an entry, not contacting the site
        else:
            self.drop("Send a message", f"no contact or feedback form on {self.read}")

    def plan_log_in(self) -> None:
        if not self.inv.forms_for(FormPurpose.LOG_IN):
            self.drop("Log in", f"no log-in form on {self.read}")
        elif not self.inv.forms_for(FormPurpose.SIGN_UP):
            self.drop("Log in", "a log-in needs an account and there is no sign-up form to make one")
        else:
            self.plan_sign_up()


def _explore_flow(inv: ScoutInventory, goal: str) -> FlowSpec:
    pages = max_pages(inv)
    # One page to visit is the start page: every session succeeds in 0 actions, and the flow says so.
    nothing = " (one page: this measures nothing, every visit succeeds at once)" if pages <= 1 else ""
    return FlowSpec(
        name="Explore the site",
        description=f"Explore {inv.title or inv.url} with the goal in mind: {goal}{nothing}",
        instructions=(
            "Look around this site as a first-time visitor would. Try to understand what it offers and "
            f"keep this in mind: {goal}. Note anything confusing or broken."
        ),
        task=TaskSpec(kind="explore", params={"max_pages": pages}),
    )
