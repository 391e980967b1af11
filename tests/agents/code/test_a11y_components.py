"""Vue and Svelte single-file components: their markup is fixed where each field or image is written,
in the component's own binding syntax, and bound names count as names."""

from __future__ import annotations

from pathlib import Path

from agents.code.recipe_agent import run_recipe_agent
from agents.schemas import SuggestionSpec
from tests.agents.code.test_shell import DiskWorkspace, tree

VUE_ROW = """<script setup lang="ts">
defineProps<{ task: { due: string } }>();
</script>

<template>
  <div class="row" v-for="task in tasks" :key="task.id">
    <input type="datetime-local" id="due-at" name="due-at" :value="task.due" />
    <input type="text" :aria-label="task.title" />
  </div>
</template>

<style scoped>
.row { display: flex; }
</style>
"""
VUE_BAR = """<template>
  <div class="bar">
    <img src="/images/leaf-logo.svg" />
    <img :src="avatarUrl" />
    <span>Sort by</span>
    <select v-model="field"><option value="date">Date</option><option value="name">Name</option></select>
  </div>
</template>
"""
SVELTE = """<script>
  let items = [];
</script>

{#each items as item}
  <input bind:value={item.text} placeholder="What needs doing?" />
{/each}
<input type="search" aria-label={label} />
"""
APP = {"package.json": '{"name": "t", "scripts": {"dev": "vite"}, "devDependencies": {"vite": "5"}}',
       "index.html": '<!doctype html><html lang="en"><body><div id="app"></div></body></html>',
       "src/components/Row.vue": VUE_ROW, "src/components/Bar.vue": VUE_BAR, "src/lib/List.svelte": SVELTE,
       "tests/Fixture.vue": '<template><input name="not-the-app"></template>'}


def _run(ws: DiskWorkspace, recipe: str, design: str = "baseline") -> str:
    result = run_recipe_agent(ws, SuggestionSpec(title=recipe, rationale="t", recipe=recipe), strategy=design)
    assert result.status == "completed", result.error_message
    return result.summary


def test_fields_in_vue_and_svelte_components_get_names_where_they_are_written(tmp_path: Path) -> None:
    ws = tree(tmp_path, APP)
    _run(ws, "input_labels")
    row = (tmp_path / "src/components/Row.vue").read_text()
    assert '<input type="datetime-local" id="due-at" name="due-at" :value="task.due" aria-label="Due at" />' in row
    assert row.count("aria-label") == 2  # the bound :aria-label already names the second field
    bar = (tmp_path / "src/components/Bar.vue").read_text()
    assert '<select v-model="field" aria-label="Sort by">' in bar
    svelte = (tmp_path / "src/lib/List.svelte").read_text()
    assert '<input bind:value={item.text} placeholder="What needs doing?" aria-label="What needs doing?" />' in svelte
    assert svelte.count("aria-label") == 2
    assert (tmp_path / "tests/Fixture.vue").read_text() == APP["tests/Fixture.vue"]
    assert row.endswith("</style>\n") and row.startswith("<script setup")  # the rest of the file untouched


def test_a_visible_label_is_not_given_to_a_field_a_component_repeats(tmp_path: Path) -> None:
    ws = tree(tmp_path, APP)
    _run(ws, "input_labels", design="alternative")
    row = (tmp_path / "src/components/Row.vue").read_text()
    assert "<label" not in row and 'aria-label="Due at"' in row  # v-for: one id per rendered row would clash
    assert '<label for="sort-by">Sort by</label> <select' in (tmp_path / "src/components/Bar.vue").read_text()
    assert "<label" not in (tmp_path / "src/lib/List.svelte").read_text().split("{/each}")[0]


def test_images_in_components_get_alt_text_unless_their_source_is_bound(tmp_path: Path) -> None:
    ws = tree(tmp_path, APP)
    _run(ws, "alt_text")
    bar = (tmp_path / "src/components/Bar.vue").read_text()
    assert '<img src="/images/leaf-logo.svg" alt="Leaf logo" />' in bar
    assert '<img :src="avatarUrl" />' in bar
