"""Icon-only buttons get an aria-label that says what their icon or class says they do, in each
source's own syntax; buttons that show text, or say nothing the vocabulary knows, are left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.code.behaviour import check_behaviour
from agents.code.recipe_agent import run_recipe_agent
from agents.code.recipes.button_names import action_name
from agents.code.recipes.registry import resolve
from agents.schemas import SuggestionSpec
from settings import Settings
from tests.agents.code.test_shell import tree

VUE = """<template>
  <div class="bar">
    <button class="bar__add-button" @click="addTask"><font-awesome-icon :icon="['fas', 'plus']" /></button>
    <button class="bar__tool"><font-awesome-icon icon="fa-solid fa-trash" /></button>
    <button class="bar__more">{{ moreLabel }}</button>
    <button class="bar__mystery"><span class="blob"></span></button>
    <button :aria-label="closeLabel"><i class="fa fa-times"></i></button>
  </div>
</template>
"""
JSX = """export function Toolbar({ onSearch, count }) {
  return (
    <nav>
      <button onClick={onSearch}><MagnifyingGlassIcon className="h-5 w-5" /></button>
      <button className="cart-toggle"><svg viewBox="0 0 8 8"><path d="M0 0h8v8z" /></svg></button>
      <button>{count} items</button>
    </nav>
  );
}
"""
HTML = ('<!doctype html><html lang="en"><body><main><h1>Notes</h1>'
        '<button class="icon-btn" id="delete-note"><svg viewBox="0 0 8 8"><rect width="8" height="8"/></svg></button>'
        '<button>Save</button></main></body></html>')


@pytest.mark.parametrize("texts, name", [
    (("fa-solid fa-trash",), "Delete"),
    ((":icon ['fas', 'plus']",), "Add"),
    (("MagnifyingGlassIcon h-5 w-5",), "Search"),
    (("", "icon-btn close-modal"), "Close"),
    (("padding rounded", "btn-primary"), None),  # "add" inside "padding" is not a word
    (("news-toggle",), None),
])
def test_the_action_an_icon_or_class_names(texts: tuple[str, ...], name: str | None) -> None:
    assert action_name(*texts) == name


def test_suggestions_about_button_names_resolve_to_this_recipe() -> None:
    assert resolve("Name every icon-only button for screen readers", None) == "button_names"
    assert resolve("Add missing labels to the form inputs", None) == "input_labels"


def test_icon_only_buttons_are_named_in_vue_jsx_and_html(tmp_path: Path) -> None:
    ws = tree(tmp_path, {"package.json": '{"devDependencies": {"vite": "5"}}', "index.html": HTML,
                         "src/Bar.vue": VUE, "src/Toolbar.jsx": JSX})
    result = run_recipe_agent(ws, SuggestionSpec(title="Name every icon-only button", rationale="t", recipe="button_names"))
    assert result.status == "completed", result.error_message
    vue = (tmp_path / "src/Bar.vue").read_text()
    assert '<button class="bar__add-button" @click="addTask" aria-label="Add">' in vue
    assert '<button class="bar__tool" aria-label="Delete">' in vue
    assert vue.count("aria-label") == 3  # not the computed text, the unknown icon, or the bound name
    jsx = (tmp_path / "src/Toolbar.jsx").read_text()
    assert '<button onClick={onSearch} aria-label="Search">' in jsx
    assert '<button className="cart-toggle" aria-label="Cart">' in jsx
    assert "<button>{count} items</button>" in jsx
    assert '<button class="icon-btn" id="delete-note" aria-label="Delete">' in (tmp_path / "index.html").read_text()


def test_nothing_to_name_fails_and_says_why(tmp_path: Path) -> None:
    ws = tree(tmp_path, {"index.html": '<!doctype html><html lang="en"><body><button><b class="x"></b></button>'
                                       '<button>Go</button></body></html>'})
    result = run_recipe_agent(ws, SuggestionSpec(title="t", rationale="t", recipe="button_names"))
    assert result.status == "failed" and "says what it does" in result.error_message


@pytest.mark.browser
def test_the_audit_fails_before_and_passes_after(tmp_path: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    ws = tree(tmp_path, {"index.html": HTML})
    url = serve(tmp_path)
    before = check_behaviour("button_names", url, browser=settings.browser)
    assert before.passed is False and "without a name" in before.detail, before.detail
    run_recipe_agent(ws, SuggestionSpec(title="t", rationale="t", recipe="button_names"))
    after = check_behaviour("button_names", url, browser=settings.browser)
    assert after.passed is True, after.detail
