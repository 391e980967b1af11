"""The questions variantlab asks an LLM: prompts for real models, structured context for offline."""

from __future__ import annotations

import dataclasses
import json

from agents.llm.base import LLMProvider, LLMResult
from agents.schemas import FlowPlan, SiteSnapshot, SuggestionList, VariantAnalysis

RECIPES = (
    "search",
    "category_filter",
    "sort",
    "result_count",
    "sticky_cart",
    "inline_validation",
    "shorter_form",
    "password_hint",
)

_FLOWS_SYSTEM = """You design usability test flows for simulated users of a web site.
Each flow is one user journey that serves the experiment's goal, written as natural instructions
a first-time visitor would follow (exploratory, no CSS selectors or URLs in the instructions).
Every flow carries a programmatically checkable task:
- kind "find_item": params {"item_name": exact name of a real item seen on the site, "category": its
  category or "", "add_to_cart": true}. Prefer items that are NOT on the first listing page.
- kind "complete_form": params {"form_hint": "signup", "form_selector": CSS selector of the form,
  "values": {field name: a plausible valid value}} for every field of the form.
- kind "explore": params {"max_pages": 5}.
Use only names, fields and forms present in the snapshot; never invent items.
Give 2 to 5 flows with distinct targets, ordered by how directly they test the goal."""

_SUGGEST_SYSTEM = f"""You are a UX researcher proposing concrete changes to a web app.
Each suggestion: an imperative title naming one change; a rationale that quotes the observed issues
it addresses; addresses_issues: those issues verbatim; target_metric: "task_success", "n_actions"
or "duration_ms"; recipe: one of {", ".join(RECIPES)} when the change is exactly that, else null.
Rank by how many observed issues a change addresses and how strongly. No two suggestions may make
the same change."""


def _provider(provider: LLMProvider | None) -> LLMProvider:
    if provider is not None:
        return provider
    from agents.llm.factory import get_provider

    return get_provider()


def derive_flows(
    goal: str, snapshot: SiteSnapshot, provider: LLMProvider | None = None
) -> LLMResult[FlowPlan]:
    """Test flows for the goal from a first look at the site (seed 004 flows generated from a prompt)."""
    snapshot_json = snapshot.model_dump_json(exclude_none=True)
    prompt = (
        f"Experiment goal: {goal}\n\nWhat a first look at the site shows (JSON):\n{snapshot_json}\n\n"
        "Derive the test flows."
    )
    result = _provider(provider).complete(
        task="derive_flows",
        prompt=prompt,
        schema=FlowPlan,
        system=_FLOWS_SYSTEM,
        context={"goal": goal, "snapshot": snapshot.model_dump(mode="json")},
    )
    flows = [flow.model_copy(update={"order": i}) for i, flow in enumerate(result.value.flows, start=1)]
    return dataclasses.replace(result, value=FlowPlan(flows=flows))


def suggest_changes(
    goal: str, analysis: VariantAnalysis, n: int, provider: LLMProvider | None = None
) -> LLMResult[SuggestionList]:
    """At most n ranked, de-duplicated changes that address the observed issues."""
    prompt = (
        f"Experiment goal: {goal}\n\nWhat simulated users experienced on the current version (JSON):\n"
        f"{json.dumps(analysis.model_dump(mode='json'), indent=1)}\n\n"
        f"Propose the {n} most promising changes, best first."
    )
    result = _provider(provider).complete(
        task="suggest_changes",
        prompt=prompt,
        schema=SuggestionList,
        system=_SUGGEST_SYSTEM,
        context={"goal": goal, "analysis": analysis.model_dump(mode="json"), "n": n},
    )
    # Models repeat themselves and overshoot n; the contract is ranked, unique and at most n.
    seen: set[str] = set()
    unique = []
    for suggestion in result.value.suggestions:
        if suggestion.recipe not in RECIPES:
            suggestion = suggestion.model_copy(update={"recipe": None})
        identity = suggestion.recipe or " ".join(suggestion.title.lower().split())
        if identity not in seen:
            seen.add(identity)
            unique.append(suggestion)
    return dataclasses.replace(result, value=SuggestionList(suggestions=unique[: max(0, n)]))
