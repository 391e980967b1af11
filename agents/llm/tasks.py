"""The questions variantlab asks an LLM: prompts for real models, structured context for offline."""

from __future__ import annotations

import dataclasses
import json
import re

from agents.llm.base import LLMProvider, LLMResult
from agents.llm.offline_suggestions import RECIPES as CATALOGUE
from agents.schemas import FlowPlan, ScoutInventory, SuggestionList, VariantAnalysis

# The recipes the offline catalogue knows (a test keeps it within what the recipe agent can build):
# a real model may name one of them when its change is exactly that.
RECIPES = tuple(recipe.key for recipe in CATALOGUE)

_FLOWS_SYSTEM = """You design usability test flows for simulated users of a web site.
Each flow is one user journey that serves the experiment's goal, written as natural instructions
a first-time visitor would follow (exploratory, no CSS selectors or URLs in the instructions).
You get a scout's inventory of the rendered site: its pages, its forms and what each is for
(purpose: sign_up, log_in, search, create, checkout, contact, other), its listings and their items
(name, price, category, listing page), its in-page controls (search, filters, sort) and navigation.
Every flow carries a programmatically checkable task:
- kind "find_item": params {"item_name": exact name of a listed item, "category": its category or "",
  "add_to_cart": true when the site has add-to-cart buttons}. Prefer items deep in the listings; for
  a comparison goal target the cheapest item and add "criterion": "cheapest".
- kind "complete_form": params {"form_hint": the form's purpose, "form_selector": the form's selector,
  "page_url": where it is, "values": {field name: a plausible valid value}}.
- kind "journey": params {"steps": [{"kind": "complete_form" | "find_item" | "explore", "params": {...},
  "optional": bool}, ...]} done in order: e.g. a sign-up goal registers, optionally logs in, then does
  the first thing the app is for (write a first post: {"form_hint": "create", "values": {"title": ...,
  "body": ...}} even when that form is only visible to members).
- kind "explore": params {"max_pages": at most the number of pages in the inventory}, only when the
  inventory offers nothing the goal asks for.
Use only items and forms present in the inventory; never invent them. A flow the goal calls for that
the inventory cannot support goes in "dropped" with the reason. Give 1 to 5 flows with distinct
targets, ordered by how directly they test the goal."""

_SUGGEST_SYSTEM = f"""You are a UX researcher proposing concrete changes to a web app.
Each suggestion: an imperative title naming one change; a rationale that quotes the observed issues
it addresses; addresses_issues: those issues verbatim; target_metric: "task_success", "n_actions"
or "duration_ms"; recipe: one of {", ".join(RECIPES)} when the change is exactly that, else null.
Rank by the goal first: changes that serve it come before changes for other problems, however many
of those were observed (accessibility findings turn up on almost every site). Among them, a change
that addresses an observed issue comes before one that addresses none, then by how many and how
strongly. Propose a change for another problem only with an observed issue it fixes. No two
suggestions may make the same change."""


def derive_flows(goal: str, inventory: ScoutInventory, provider: LLMProvider) -> LLMResult[FlowPlan]:
    """Test flows for the goal from the scout's inventory of the site, asked of the caller's `provider`
    (agents.llm.factory.get_provider with the caller's LLM settings)."""
    # An item's surrounding text repeats its name, price and category: the prompt does without it.
    inventory_json = inventory.model_dump_json(
        exclude_none=True, exclude={"listings": {"__all__": {"items": {"__all__": {"text"}}}}}
    )
    prompt = (
        f"Experiment goal: {goal}\n\nWhat a scout found on the rendered site (JSON):\n{inventory_json}\n\n"
        "Derive the test flows."
    )
    result = provider.complete(
        task="derive_flows",
        prompt=prompt,
        schema=FlowPlan,
        system=_FLOWS_SYSTEM,
        context={"goal": goal, "inventory": inventory.model_dump(mode="json")},
    )
    flows = [flow.model_copy(update={"order": i}) for i, flow in enumerate(result.value.flows, start=1)]
    return dataclasses.replace(result, value=FlowPlan(flows=flows, dropped=result.value.dropped))


def existing_features(inventory: ScoutInventory | None) -> list[str]:
    """The finding features the app already has, as the scout saw them rendered (recipe names)."""
    if inventory is None:
        return []
    controls = inventory.controls
    found = {"search": bool(controls.search), "category_filter": bool(controls.filters), "sort": bool(controls.sort),
             "primary_action": _labelled_create_control(inventory)}
    return [feature for feature, present in found.items() if present]


# A create control that says what it does ("Create new post", "New note", "Write"): what the
# primary-action change would add where the app has only a symbol or nothing.
_CREATE_WORDS = re.compile(r"^\W*(new|create|write|compose|add)\b\s*\w", re.IGNORECASE)


def _labelled_create_control(inventory: ScoutInventory) -> bool:
    said = [link.text for link in inventory.links_seen] + [b for page in inventory.pages for b in page.buttons]
    return any(_CREATE_WORDS.search(text) and not re.search(r"\b(cart|basket|bag)\b", text, re.IGNORECASE)
               for text in said)


def unsupported_features(inventory: ScoutInventory | None) -> list[str]:
    """The shop changes the app has nothing for, as the scout saw it (recipe names): with no listed
    item (a to-do list, a form) there is nothing to search, filter, sort or count; sorting by price needs
    prices, a cart summary a cart. A goal that says "items" does not make a to-do app a shop."""
    if inventory is None or not inventory.pages:
        return []
    from agents.llm.offline_items import has_cart, reachable_items

    items = reachable_items(inventory)
    missing = [] if items else ["search", "category_filter", "sort", "result_count"]
    if items and sum(1 for item in items if item.price_value is not None) < 2:
        missing.append("sort")
    if not has_cart(inventory):
        missing.append("sticky_cart")
    return missing


def suggest_changes(
    goal: str, analysis: VariantAnalysis, n: int, provider: LLMProvider, *,
    inventory: ScoutInventory | None = None,
) -> LLMResult[SuggestionList]:
    """At most n ranked, de-duplicated changes that address the observed issues. With the scout's
    inventory, a feature the app already has is not proposed again."""
    existing = existing_features(inventory)
    unsupported = [f for f in unsupported_features(inventory) if f not in existing]
    has = (f"\n\nThe app already has (do not add them again; improve them only if the evidence says "
           f"they fail): {', '.join(existing)}." if existing else "")
    if unsupported:
        has += (f"\n\nThe app has nothing these would act on (no listed items, prices or cart were seen): "
                f"{', '.join(unsupported)}.")
    prompt = (
        f"Experiment goal: {goal}\n\nWhat simulated users experienced on the current version (JSON):\n"
        f"{json.dumps(analysis.model_dump(mode='json'), indent=1)}{has}\n\n"
        f"Propose the {n} most promising changes, best first."
    )
    result = provider.complete(
        task="suggest_changes",
        prompt=prompt,
        schema=SuggestionList,
        system=_SUGGEST_SYSTEM,
        context={"goal": goal, "analysis": analysis.model_dump(mode="json"), "n": n, "existing": existing,
                 "unsupported": unsupported},
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
