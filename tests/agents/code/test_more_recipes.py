"""The onboarding, empty-state, loading, navigation and landmark recipes: what they build, in which
source, and the reason they give when an app has nothing for them to act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.code.recipe_agent import run_recipe_agent
from agents.code.recipes.registry import resolve
from agents.schemas import SuggestionSpec
from tests.agents.code.test_shell import tree
from tests.agents.code.test_source import BytesWorkspace

MODULES = {"next_step": "variantlab-next-step.js", "empty_state": "variantlab-empty-state.js",
           "loading_indicator": "variantlab-loading.js", "breadcrumbs": "variantlab-breadcrumbs.js",
           "back_to_results": "variantlab-back-to-results.js", "sticky_nav": "variantlab-sticky-nav.js"}
# One page with nothing any of them could act on: no form, no list, no navigation, no other page.
BARE = {"index.html": '<!doctype html><html lang="en"><head><title>Hi</title></head><body><main><h1>Hello</h1>'
                      "<p>One page, one paragraph.</p></main></body></html>\n"}
NOTHING = {
    "next_step": "no sign-up form in the sources",
    "empty_state": "none is rendered from data",
    "loading_indicator": "no form and no request made from a script",
    "breadcrumbs": "no detail pages in the sources",
    "back_to_results": "no listing in the sources whose items link to their own pages",
    "sticky_nav": "no navigation bar in the sources",
    "landmarks": "no duplicate or nested landmark in the sources",
}


def _run(root: Path, recipe: str, strategy: str = "baseline"):  # type: ignore[no-untyped-def]
    return run_recipe_agent(tree(root, {}), SuggestionSpec(title=recipe, rationale="t", recipe=recipe),
                            strategy=strategy)


@pytest.mark.parametrize("recipe", sorted(NOTHING))
def test_an_app_with_nothing_to_act_on_is_refused_with_the_reason(tmp_path: Path, recipe: str) -> None:
    tree(tmp_path, BARE)
    result = _run(tmp_path, recipe)
    assert result.status == "failed" and NOTHING[recipe] in (result.error_message or "")
    assert result.code_changes == []
    assert (tmp_path / "index.html").read_text() == BARE["index.html"]


@pytest.mark.parametrize("recipe", sorted(MODULES))
def test_each_module_is_added_once_to_the_shell_and_the_markup_only_design_refuses(tmp_path: Path, recipe: str) -> None:
    journal = Path(__file__).parent / "fixtures" / "journal"
    files = {str(p.relative_to(journal)): p.read_text() for p in journal.rglob("*") if p.is_file()}
    tree(tmp_path, files)
    minimal = _run(tmp_path, recipe, "minimal")
    assert minimal.status == "failed" and "needs a script" in (minimal.error_message or "")
    result = _run(tmp_path, recipe)
    assert result.status == "completed", result.error_message
    for page in ("index.html", "entries/otter-holt.html"):
        text = (tmp_path / page).read_text()
        src = MODULES[recipe] if "/" not in page else "../" + MODULES[recipe]
        assert text.count(f'<script src="{src}" defer></script>') == 1
    assert (tmp_path / MODULES[recipe]).read_text().startswith("/* variantlab ")


JINJA_BLOG = {
    "app.py": "from flask import Flask\napp = Flask(__name__)\n",
    "templates/layout.html": "<!doctype html>\n<html lang=\"en\">\n<body>\n<header><nav><a href=\"/\">Home</a> "
                             "<a href=\"/tags\">Tags</a></nav></header>\n<main class=\"page\">\n"
                             "{% block body %}{% endblock %}\n</main>\n</body>\n</html>\n",
    "templates/entry.html": '{% extends "layout.html" %}{% block body %}\n<main class="entry">\n<h1>{{ e.title }}</h1>\n'
                            "</main>\n<nav class=\"pager\"><a href=\"/?p=1\">1</a> <a href=\"/?p=2\">2</a></nav>\n"
                            "{% endblock %}\n",
}


def test_landmarks_are_judged_on_the_page_the_templates_render_together(tmp_path: Path) -> None:
    tree(tmp_path, JINJA_BLOG)
    result = _run(tmp_path, "landmarks")
    assert result.status == "completed", result.error_message
    # The page's own <main> sits inside the layout's: it becomes a <div>, byte for byte the rest kept.
    assert (tmp_path / "templates/entry.html").read_text() == JINJA_BLOG["templates/entry.html"].replace(
        '<main class="entry">', '<div class="entry">').replace("</main>", "</div>").replace(
        '<nav class="pager">', '<nav class="pager" aria-label="Pagination">')
    # Two navigations on the rendered page: the layout's is named as well, the layout's <main> stays.
    assert (tmp_path / "templates/layout.html").read_text() == JINJA_BLOG["templates/layout.html"].replace(
        "<nav>", '<nav aria-label="Main">')


def test_landmarks_follow_ejs_includes_and_fix_components_in_their_own_syntax(tmp_path: Path) -> None:
    files = {
        "server.js": "const express = require('express');\nconst app = express();\napp.use(express.static('public'));\n",
        "views/parts/top.ejs": "<!doctype html>\n<html lang=\"en\"><body>\n<header><nav><a href=\"/\">Shop</a> "
                               "<a href=\"/cart\">Cart</a></nav></header>\n<main>\n",
        "views/parts/end.ejs": "</main>\n<footer><nav><a href=\"/terms\">Terms</a></nav></footer>\n</body></html>\n",
        "views/list.ejs": "<%- include('parts/top') %>\n<h1>All</h1>\n<%- include('parts/end') %>\n",
        "src/Menu.jsx": "export function Menu() {\n  return (\n    <nav className=\"menu\">\n      <a href=\"/\">Home</a>\n"
                        "      <nav className=\"sub\"><a href=\"/a\">A</a></nav>\n    </nav>\n  );\n}\n",
    }
    tree(tmp_path, files)
    result = _run(tmp_path, "landmarks")
    assert result.status == "completed", result.error_message
    assert '<header><nav aria-label="Main">' in (tmp_path / "views/parts/top.ejs").read_text()
    assert '<footer><nav aria-label="Footer">' in (tmp_path / "views/parts/end.ejs").read_text()
    assert (tmp_path / "views/list.ejs").read_text() == files["views/list.ejs"]
    menu = (tmp_path / "src/Menu.jsx").read_text()
    assert menu == files["src/Menu.jsx"].replace('<nav className="sub"><a href="/a">A</a></nav>',
                                                 '<div className="sub"><a href="/a">A</a></div>')
    from agents.code.jsx import parses

    assert parses("src/Menu.jsx", menu)


def test_a_landmark_edit_keeps_the_file_s_encoding_and_line_ends() -> None:
    page = ("<!doctype html>\r\n<html lang=\"fr\"><body>\r\n<nav><a href=\"/\">Accueil</a></nav>\r\n<main><p>Caf\xe9</p>"
            "</main>\r\n<main><p>Cr\xe8me</p></main>\r\n<nav><a href=\"/plan\">Plan</a></nav>\r\n</body></html>\r\n")
    ws = BytesWorkspace({"index.html": page.encode("latin-1")})
    result = run_recipe_agent(ws, SuggestionSpec(title="landmarks", rationale="t", recipe="landmarks"))
    assert result.status == "completed", result.error_message
    expected = page.replace("<main><p>Cr\xe8me</p></main>", "<div><p>Cr\xe8me</p></div>").replace(
        '<nav><a href="/">', '<nav aria-label="Main"><a href="/">').replace(
        '<nav><a href="/plan">', '<nav aria-label="Secondary"><a href="/plan">')
    assert ws.files["index.html"] == expected.encode("latin-1")


def test_a_navigation_the_app_already_keeps_on_screen_is_left_alone(tmp_path: Path) -> None:
    tree(tmp_path, {"index.html": '<!doctype html><html><head><link rel="stylesheet" href="s.css"></head><body>'
                                  '<header class="bar"><a href="/">Home</a> <a href="a.html">A</a></header></body></html>',
                    "s.css": "body { margin: 0 }\n.site header.bar,\nheader.bar { position: sticky; top: 0 }\n"})
    result = _run(tmp_path, "sticky_nav")
    assert result.status == "failed" and "already kept on screen" in (result.error_message or "")
    assert "s.css" in (result.error_message or "")


def test_a_sign_up_a_component_renders_is_found_and_a_log_in_form_is_not(tmp_path: Path) -> None:
    app = {"package.json": '{"devDependencies": {"vite": "8"}}',
           "index.html": '<!doctype html><html><body><div id="root"></div></body></html>',
           "src/Login.jsx": 'export default () => <form><input type="password" name="pw" /><button>Log in</button></form>;\n'}
    tree(tmp_path, app)
    assert _run(tmp_path, "next_step").status == "failed"
    tree(tmp_path, {"src/Join.jsx": "export default () => (\n  <form><h2>Create your account</h2>\n"
                                    '    <input type="email" /><input type="password" /><button>Join</button>\n  </form>\n);\n'})
    result = _run(tmp_path, "next_step")
    assert result.status == "completed", result.error_message
    assert 'src="/variantlab-next-step.js"' in (tmp_path / "index.html").read_text()
    assert (tmp_path / "public/variantlab-next-step.js").exists()


@pytest.mark.parametrize(("title", "recipe"), [
    ("Show new members a clear next step after sign-up", "next_step"),
    ("Give empty lists a message that says what to do", "empty_state"),
    ("Say what to do when the list is empty", "empty_state"),
    ("Show a spinner while requests are pending", "loading_indicator"),
    ("Add breadcrumbs so people know where they are", "breadcrumbs"),
    ("Link back to the search results from each product", "back_to_results"),
    ("Keep the navigation bar visible while scrolling", "sticky_nav"),
    ("Make the main menu sticky", "sticky_nav"),
    ("Fix the duplicate landmarks", "landmarks"),
    ("Keep the cart count visible (sticky cart)", "sticky_cart"),
    ("Add a search box with live filtering", "search"),
])
def test_free_text_maps_to_the_new_recipes(title: str, recipe: str) -> None:
    assert resolve(title, None) == recipe


# Pages without a main landmark (axe: landmark-one-main, region), each as a template or a page writes it.
NO_MAIN = {
    "jinja section": (
        {"app.py": "from flask import Flask\napp = Flask(__name__)\n",
         "templates/base.html": "<!doctype html>\n<title>{% block title %}{% endblock %}</title>\n<nav><a href=\"/\">Home</a></nav>\n"
                                "<section class=\"content\">\n  <header>{% block header %}{% endblock %}</header>\n"
                                "  {% for m in get_flashed_messages() %}<div class=\"flash\">{{ m }}</div>{% endfor %}\n"
                                "  {% block content %}{% endblock %}\n</section>\n",
         "templates/index.html": '{% extends "base.html" %}{% block header %}<h1>Posts</h1>{% endblock %}\n'
                                 "{% block content %}<p>{{ post.body }}</p>{% endblock %}\n"},
        "templates/base.html", ('<section class="content">', "<main class=\"content\">"), ("</section>", "</main>")),
    "static run": (
        {"index.html": "<!doctype html><html lang=\"en\"><body>\n<header><a href=\"/\">Shop</a></header>\n"
                       "<h1>Teas</h1>\n<p>Loose leaf.</p>\n<footer>Terms</footer>\n</body></html>\n"},
        "index.html", ("<h1>Teas</h1>", "<main><h1>Teas</h1>"), ("<p>Loose leaf.</p>", "<p>Loose leaf.</p></main>")),
}


@pytest.mark.parametrize("case", sorted(NO_MAIN))
def test_a_page_without_a_main_landmark_gets_one_around_its_content(tmp_path: Path, case: str) -> None:
    files, path, *changes = NO_MAIN[case]
    tree(tmp_path, files)
    result = _run(tmp_path, "landmarks")
    assert result.status == "completed", result.error_message
    expected = files[path]
    for old, new in changes:
        expected = expected.replace(old, new)
    assert (tmp_path / path).read_text() == expected
    assert all((tmp_path / p).read_text() == text for p, text in files.items() if p != path)


def test_no_main_is_added_around_a_script_s_mount_point_or_across_a_template_statement(tmp_path: Path) -> None:
    files = {"index.html": "<!doctype html><html><body><nav><a href=\"/\">A</a></nav><div id=\"root\"></div></body></html>\n",
             "page.ejs": "<!doctype html><html><body><header>Shop</header>\n<h1>Hi</h1>\n<% if (user) { %><p>Welcome</p>\n"
                         "<% } else { %><p>Log in</p><% } %>\n<footer>x</footer></body></html>\n"}
    tree(tmp_path, files)
    result = _run(tmp_path, "landmarks")
    assert result.status == "failed" and "no page without a main landmark" in (result.error_message or "")


def test_landmarks_on_a_page_a_script_renders_says_so_instead_of_claiming_each_page_has_a_main(tmp_path: Path) -> None:
    tree(tmp_path, {"package.json": '{"devDependencies": {"vite": "5"}}',
                    "index.html": '<!doctype html><html lang="en"><head><title>Spend</title></head><body>'
                                  '<div id="root"></div><script type="module" src="/src/main.jsx"></script></body></html>',
                    "src/App.jsx": "export default function App() {\n  return <div className=\"container\"><h1>Spend</h1></div>;\n}\n"})
    result = _run(tmp_path, "landmarks")
    assert result.status == "failed" and "rendered by script into an empty mount point (index.html)" in result.error_message
    assert "each page has one main" not in result.error_message
