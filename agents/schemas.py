"""Shared value types that cross agent boundaries (LLM <-> browser <-> code agents <-> assets).

Pydantic models so that LLM providers can validate structured output against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class PageLink(BaseModel):
    text: str
    href: str


class SiteSnapshot(BaseModel):
    """What a first look at a live site shows: enough for flows to be derived from it."""

    url: str
    title: str = ""
    headings: list[str] = Field(default_factory=list)
    links: list[PageLink] = Field(default_factory=list)
    forms: list[dict[str, Any]] = Field(default_factory=list)  # {"action", "fields": [{"name","type","label"}]}
    buttons: list[str] = Field(default_factory=list)
    has_search: bool = False
    text_sample: str = ""  # first visible text, capped
    # Items that look like products (name, href, price text) seen on the first page(s)
    items: list[dict[str, Any]] = Field(default_factory=list)


class TaskSpec(BaseModel):
    """A concrete, programmatically checkable task a simulated user attempts."""

    kind: Literal["find_item", "complete_form", "explore"]
    # find_item: {"item_name": "...", "category": "...", "add_to_cart": true}
    # complete_form: {"form_hint": "signup", "values": {...}}
    # explore: {"max_pages": 5}
    params: dict[str, Any] = Field(default_factory=dict)


class FlowSpec(BaseModel):
    """Seed 004 test flow: one user journey derived from the goal."""

    name: str
    description: str
    instructions: str
    order: int = 1
    approved: bool = True
    task: TaskSpec


class FlowPlan(BaseModel):
    flows: list[FlowSpec]


class VariantAnalysis(BaseModel):
    """Seed 000 analysis/result object: {success, summary, insights, issues}."""

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
