"""Shared value types that cross agent boundaries (LLM <-> browser <-> code agents <-> assets).

Pydantic models so that LLM providers can validate structured output against them.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field


class PageLink(BaseModel):
    text: str
    href: str


class FormPurpose(StrEnum):
    """What a form is for, as a visitor would tell (classified from generic signals, never an app's names)."""

    SIGN_UP = "sign_up"
    LOG_IN = "log_in"
    SEARCH = "search"
    CREATE = "create"  # write a post, add an entry, publish something
    CHECKOUT = "checkout"
    CONTACT = "contact"  # contact, feedback, support
    OTHER = "other"


class FieldInfo(BaseModel):
    name: str = ""
    type: str = "text"  # input type, or "select" / "textarea"
    label: str = ""
    required: bool = False
    autocomplete: str = ""
    placeholder: str = ""
    options: list[str] = Field(default_factory=list)  # a select's option values


class FormInfo(BaseModel):
    """A visible form on a page the scout saw, and what it is for."""

    page_url: str
    selector: str = ""
    action: str = ""  # the action URL, resolved
    method: str = "get"
    heading: str = ""  # the heading a visitor reads above (or in) the form
    submit_text: str = ""
    role: str = ""  # "search" when the form is (in) a search landmark
    fields: list[FieldInfo] = Field(default_factory=list)
    purpose: FormPurpose = FormPurpose.OTHER
    # A form-less input group: inputs outside any <form> and the button beside them (`button`, a CSS
    # selector; empty when the input is submitted with Enter). `selector` is then their container.
    formless: bool = False
    button: str = ""
    # A button that adds an empty entry to type into (`button`); the box appears once it is pressed.
    opens_entry: bool = False


_PRICE = re.compile(r"\d[\d,]*(?:\.\d+)?")


class ItemInfo(BaseModel):
    """An item of a listing (product-like: a link with a price next to it)."""

    name: str
    href: str
    price: str = ""
    text: str = ""
    category: str = ""
    page: int = 1  # which listing page it is on (deeper items make harder find tasks)
    found_on: str = ""

    @property
    def price_value(self) -> float | None:
        match = _PRICE.search(self.price)
        return float(match.group(0).replace(",", "")) if match else None


class ListingInfo(BaseModel):
    url: str
    page: int = 1
    items: list[ItemInfo] = Field(default_factory=list)


class Controls(BaseModel):
    """In-page controls that help a visitor find things: where they are and what they are called."""

    search: list[str] = Field(default_factory=list)  # pages with a search box
    filters: list[str] = Field(default_factory=list)  # labels of filter selects / filter buttons
    sort: list[str] = Field(default_factory=list)  # labels of sort controls
    search_probe: str = ""  # what searching for a listed item showed ("found 'X'", "no match for 'X'")


class PageInfo(BaseModel):
    url: str
    title: str = ""
    headings: list[str] = Field(default_factory=list)
    status: int = 200
    depth: int = 0  # clicks from the start page
    buttons: list[str] = Field(default_factory=list)
    n_links: int = 0
    n_forms: int = 0
    n_items: int = 0
    file_listing: bool = False  # a server's directory index, not a page of an app
    not_ready: str = ""  # what was still loading when the scout stopped waiting


class ScoutInventory(BaseModel):
    """What a scout found on the rendered app: pages, forms and their purpose, listings, controls, navigation."""

    url: str
    title: str = ""
    text_sample: str = ""  # the start page's visible text, capped
    pages: list[PageInfo] = Field(default_factory=list)
    navigation: list[PageLink] = Field(default_factory=list)  # the start page's own links, not items
    forms: list[FormInfo] = Field(default_factory=list)
    listings: list[ListingInfo] = Field(default_factory=list)
    controls: Controls = Field(default_factory=Controls)
    links_seen: list[PageLink] = Field(default_factory=list)  # every same-origin link text seen, once
    # The pages' data requests (fetch / XHR) to other origins, which the panel blocks: an app whose
    # content comes from elsewhere shows its users nothing here.
    offsite_data: list[str] = Field(default_factory=list)

    @property
    def items(self) -> list[ItemInfo]:
        """Every item once (by link), in the order the listings showed them."""
        seen: dict[str, ItemInfo] = {}
        for listing in self.listings:
            for item in listing.items:
                seen.setdefault(item.href or item.name, item)
        return list(seen.values())

    @property
    def app_pages(self) -> list[PageInfo]:
        """Pages an app served: not errors, not a server's index of files."""
        return [p for p in self.pages if p.status < 400 and not p.file_listing]

    def forms_for(self, purpose: FormPurpose) -> list[FormInfo]:
        return [f for f in self.forms if f.purpose == purpose and f.fields]


TaskKind = Literal["find_item", "complete_form", "explore"]


class StepSpec(BaseModel):
    """One step of a journey: a task of an existing kind, optional when the app may skip it."""

    kind: TaskKind
    params: dict[str, Any] = Field(default_factory=dict)
    optional: bool = False  # e.g. "log in" after signing up: some apps sign the new user in themselves


class TaskSpec(BaseModel):
    """A concrete, programmatically checkable task a simulated user attempts."""

    kind: Literal["find_item", "complete_form", "explore", "journey"]
    # find_item: {"item_name": "...", "category": "...", "add_to_cart": true}
    # complete_form: {"form_hint": "sign_up", "values": {...}, "page_url": where the scout saw it}
    # explore: {"max_pages": 5}
    # journey: {"steps": [StepSpec, ...]} done in order, each from where the last one left the user
    params: dict[str, Any] = Field(default_factory=dict)

    def steps(self) -> list[StepSpec]:
        return [StepSpec.model_validate(s) for s in self.params.get("steps", [])]

    @property
    def measures_nothing(self) -> bool:
        """A one-page exploration: opening the site is all it asks, so every session succeeds at once
        whatever a variant changes (the planner's filler on an app that offers no task it can check)."""
        return self.kind == "explore" and int(self.params.get("max_pages", 2)) <= 1


class FlowSpec(BaseModel):
    """A test flow: one user journey derived from the goal."""

    name: str
    description: str
    instructions: str
    order: int = 1
    approved: bool = True
    task: TaskSpec


class DroppedFlow(BaseModel):
    """A flow the goal called for that the scout found infeasible on the control, and why."""

    name: str
    reason: str


class FlowPlan(BaseModel):
    flows: list[FlowSpec]
    dropped: list[DroppedFlow] = Field(default_factory=list)


class VariantAnalysis(BaseModel):
    """What a panel found on a variant: {success, summary, insights, issues}."""

    success: bool
    summary: str
    insights: list[str] = Field(default_factory=list)
    issues: list[str] = Field(default_factory=list)


class SuggestionSpec(BaseModel):
    """A concrete UX change proposed by the LLM, ranked."""

    title: str  # the change, imperative ("Add a search box with live filtering")
    rationale: str  # tied to observed issues
    addresses_issues: list[str] = Field(default_factory=list)
    target_metric: str = "task_success"  # the metric it should move
    recipe: str | None = None  # a recipe-agent hint ("search", "category_filter", ...) when known


class SuggestionList(BaseModel):
    suggestions: list[SuggestionSpec]
