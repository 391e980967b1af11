"""Offline flows about forms: fill the form a goal is about; sign up, then do the first thing the app is for."""

from __future__ import annotations

import re

from agents.llm.offline_items import has_cart, pick_items, reachable_items
from agents.llm.offline_values import plausible_value
from agents.schemas import FieldInfo, FlowSpec, FormInfo, FormPurpose, ScoutInventory, StepSpec, TaskSpec

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


def form_values(form: FormInfo) -> dict[str, object]:
    """What a person fills: the required fields when the form marks them, else every field. A field
    with no name (a script-rendered app's controlled input) is known by its label or placeholder."""
    fields = [f for f in form.fields if _field_key(f)]
    if any(f.required for f in fields):
        fields = [f for f in fields if f.required]
    return {_field_key(f): value for f in fields if (value := plausible_value(f, form.purpose)) is not None}


def _field_key(field: FieldInfo) -> str:
    return field.name or field.label or field.placeholder


def form_step(form: FormInfo, optional: bool = False) -> StepSpec:
    return StepSpec(kind="complete_form", optional=optional, params={
        "form_hint": form.purpose.value, "form_selector": form.selector, "page_url": form.page_url,
        "values": form_values(form)})


def form_flow(form: FormInfo, name: str, what: str) -> FlowSpec:
    step = form_step(form)
    return FlowSpec(
        name=name,
        description=f"{name}: the form '{form.heading or form.submit_text}' on {form.page_url}.",
        instructions=(
            f"You want to {what}. Find the form, fill it in with your details, fix anything it "
            "complains about, and submit it until the site confirms."
        ),
        task=TaskSpec(kind="complete_form", params=step.params),
    )


def signup_flow(inv: ScoutInventory, form: FormInfo) -> FlowSpec:
    """Register, then the first thing the app is for; a sign-up alone when the app shows nothing more."""
    signup = form_step(form)
    then, what = _first_thing(inv)
    if then is None:
        flow = form_flow(form, "Complete the sign-up", "create an account on this site")
        return flow.model_copy(update={"instructions": (
            "You want to create an account on this site. Fill in the sign-up form with your details, fix "
            "anything it complains about, and submit it until you are signed up.")})
    steps = [signup]
    logins = inv.forms_for(FormPurpose.LOG_IN)
    if logins:  # some apps sign the new member in, others send them to log in: optional
        creds = {k: v for k, v in signup.params["values"].items() if re.search(r"user|login|mail|pass|name", k, re.IGNORECASE)}
        login = form_step(logins[0], optional=True)
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
        return form_step(creates[0]), f"write a first {noun_of(inv, creates[0])}"
    linked = any(_CREATE_LINK.search(link.text) for link in inv.links_seen)
    if linked or _content_noun(inv):
        noun = noun_of(inv, None)
        values = {"title": f"My first {noun}", "body": f"Hello! This is my first {noun} here, just trying it out."}
        return StepSpec(kind="complete_form", params={"form_hint": "create", "values": values}), f"write a first {noun}"
    items = reachable_items(inv)
    if items:
        item = pick_items(inv, items)[0]
        cart = has_cart(inv)
        step = StepSpec(kind="find_item", params={"item_name": item.name, "category": item.category, "add_to_cart": cart})
        return step, f"find {item.name}" + (" and add it to the cart" if cart else "")
    return None, ""


def _content_noun(inv: ScoutInventory) -> str:
    said = " ".join([inv.title, *(h for p in inv.pages[:1] for h in p.headings), *(n.text for n in inv.navigation)])
    match = _NOUNS.search(said)
    return match.group(1).lower() if match else ""


def noun_of(inv: ScoutInventory, form: FormInfo | None) -> str:
    said = " ".join([form.heading, form.submit_text] if form else [])
    said += " " + " ".join(link.text for link in inv.links_seen if _CREATE_LINK.search(link.text))
    match = _NOUNS.search(said)
    word = match.group(1).lower() if match else _content_noun(inv) or "post"
    return re.sub(r"ies$", "y", word) if word.endswith("ies") else word.removesuffix("s") if len(word) > 3 else word


