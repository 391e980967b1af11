"""Accessibility fixes edit the source that renders the element, in its own syntax, one attribute each."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.code.behaviour import check_behaviour
from agents.code.recipe_agent import run_recipe_agent
from agents.schemas import SuggestionSpec
from settings import Settings
from tests.agents.code.test_shell import DiskWorkspace, tree

APP = {
    "app.py": "from flask import Flask\napp = Flask(__name__)\n",
    "templates/base.html": "<!doctype html>\n<html>\n<head><title>Le carnet</title></head>\n<body>\n"
                           "<p>Les notes et les photos de la semaine, pour vous et votre famille.</p>\n"
                           "{% block content %}{% endblock %}\n</body>\n</html>\n",
    "templates/photos.html": '{% extends "base.html" %}{% block content %}{% for photo in photos %}\n'
                             '<figure><img src="{{ photo.url }}"><figcaption>{{ photo.title }}</figcaption></figure>\n'
                             '{% endfor %}<img src="/static/red-garden_gate.jpg">\n'
                             '<form><input name="search_terms" placeholder="Chercher"><input name="email_address"></form>'
                             "{% endblock %}\n",
    "views/item.ejs": '<%- include("top") %><img src="<%= item.photo %>"><h1><%= item.name %></h1>\n',
    "src/Card.jsx": "export function Card({ r }) {\n  return (\n    <li>\n      <img src={r.image} className=\"thumb\" />\n"
                    "      <input onChange={(e) => r.set(e.target.value)} name=\"servings\" />\n      <h2>{r.title}</h2>\n"
                    "    </li>\n  );\n}\n",
}


def _run(ws: DiskWorkspace, recipe: str) -> None:
    result = run_recipe_agent(ws, SuggestionSpec(title=recipe, rationale="t", recipe=recipe))
    assert result.status == "completed", result.error_message


def test_alt_text_in_jinja_ejs_and_jsx_uses_each_template_syntax(tmp_path: Path) -> None:
    ws = tree(tmp_path, APP)
    _run(ws, "alt_text")
    photos = (tmp_path / "templates/photos.html").read_text()
    assert '<img src="{{ photo.url }}" alt="{{ photo.title }}">' in photos
    assert '<img src="/static/red-garden_gate.jpg" alt="Red garden gate">' in photos
    assert '<img src="<%= item.photo %>" alt="<%= item.name %>">' in (tmp_path / "views/item.ejs").read_text()
    assert '<img src={r.image} className="thumb" alt={r.title} />' in (tmp_path / "src/Card.jsx").read_text()


def test_labels_and_lang_are_single_attribute_edits(tmp_path: Path) -> None:
    ws = tree(tmp_path, APP)
    _run(ws, "input_labels")
    _run(ws, "lang")
    photos = (tmp_path / "templates/photos.html").read_text()
    assert '<input name="search_terms" placeholder="Chercher" aria-label="Chercher">' in photos
    assert '<input name="email_address" aria-label="Email address">' in photos
    assert 'name="servings" aria-label="Servings" />' in (tmp_path / "src/Card.jsx").read_text()
    base = (tmp_path / "templates/base.html").read_text()
    assert base == APP["templates/base.html"].replace("<html>", '<html lang="fr">')


def test_nothing_to_fix_fails_clearly(tmp_path: Path) -> None:
    ws = tree(tmp_path, {"index.html": '<!doctype html><html lang="en"><body><img src="a.png" alt="A"></body></html>'})
    result = run_recipe_agent(ws, SuggestionSpec(title="Add alt text to images", rationale="t"))
    assert result.status == "failed" and "already has a text alternative" in result.error_message


@pytest.mark.browser
def test_the_audit_fails_before_and_passes_after(tmp_path: Path, serve, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    ws = tree(tmp_path, {"index.html": '<!doctype html><html><body><a href="more.html">More</a>'
                                       '<img src="cat-on-mat.png"><label>Name <input name="n"></label></body></html>',
                         "more.html": '<!doctype html><html><body><input name="zip_code"></body></html>'})
    url = serve(tmp_path)
    for recipe in ("lang", "alt_text", "input_labels"):
        assert check_behaviour(recipe, url, browser=settings.browser).passed is False
        _run(ws, recipe)
        verdict = check_behaviour(recipe, url, browser=settings.browser)
        assert verdict.passed is True, verdict.detail


def test_password_hint_goes_into_the_jsx_that_renders_the_field(tmp_path: Path) -> None:
    ws = tree(tmp_path, {
        "package.json": '{"devDependencies": {"vite": "8"}}',
        "index.html": '<!doctype html><html><body><div id="root"></div></body></html>',
        "src/rules.js": "export function passwordProblem(password) {\n  if (password.length < 12) return 'short';\n}\n",
        "src/Join.jsx": "export default function Join() {\n  return (\n    <form>\n"
                        "      <input type=\"password\" name=\"pw\" onChange={(e) => check(e.target.value)} />\n"
                        "      <button>Join</button>\n    </form>\n  );\n}\n",
    })
    _run(ws, "password_hint")
    from agents.code.jsx import parses

    out = (tmp_path / "src/Join.jsx").read_text()
    assert 'name="pw" onChange={(e) => check(e.target.value)} aria-describedby="vl-hint-password" />\n' \
           '<small id="vl-hint-password" className="vl-hint" style={{ display: "block" }}>Use at least 12 characters.</small>' in out
    assert parses("src/Join.jsx", out)


def test_a_shell_that_leaves_html_implied_gets_one_with_its_language(tmp_path: Path) -> None:
    base = "<!doctype html>\n<title>{% block title %}{% endblock %} - Notes</title>\n<nav><h1>Notes</h1></nav>\n" \
           "<section>{% block content %}{% endblock %}</section>\n"
    ws = tree(tmp_path, {"app.py": "from flask import Flask\n", "templates/base.html": base,
                         "templates/index.html": '{% extends "base.html" %}{% block content %}<p>The notes of the week for you and your family.</p>{% endblock %}\n'})
    _run(ws, "lang")
    assert (tmp_path / "templates/base.html").read_text() == base.replace(
        "<!doctype html>\n", '<!doctype html>\n<html lang="en">\n')
    assert "<html" not in (tmp_path / "templates/index.html").read_text()


LABELS = {
    "app.py": "from flask import Flask\n",
    "templates/form.html": '<form>\n<label for="username">Username</label>\n<input name="username" required />\n'
                           '<span>Sort by</span> <select><option>Newest</option><option>Oldest</option></select>\n'
                           "<select><option>English</option><option>Fran\u00e7ais</option></select>\n"
                           '<input name="email_address">\n</form>\n',
}


def test_labels_use_the_orphan_label_the_text_before_a_select_or_its_options(tmp_path: Path) -> None:
    ws = tree(tmp_path, LABELS)
    _run(ws, "input_labels")
    form = (tmp_path / "templates/form.html").read_text()
    # The label names the field by an id it lacks: the field gets that id (one space, as written).
    assert '<input name="username" required id="username" />' in form
    assert '<span>Sort by</span> <select aria-label="Sort by">' in form
    assert '<select aria-label="English / Fran\u00e7ais">' in form
    assert '<input name="email_address" aria-label="Email address">' in form


def test_the_alternative_labels_design_shows_a_visible_label(tmp_path: Path) -> None:
    ws = tree(tmp_path, LABELS)
    result = run_recipe_agent(ws, SuggestionSpec(title="input_labels", rationale="t", recipe="input_labels"),
                              strategy="alternative")
    assert result.status == "completed", result.error_message
    form = (tmp_path / "templates/form.html").read_text()
    assert '<label for="email_address">Email address</label> <input name="email_address" id="email_address">' in form
    assert '<label for="sort-by">Sort by</label> <select id="sort-by">' in form
    assert '<input name="username" required id="username" />' in form
    assert "aria-label" not in form


def test_pages_that_render_test_harnesses_are_left_alone(tmp_path: Path) -> None:
    # A component-test runner's index.html is no page a user sees: fixing it would be measured by nobody.
    harness = "<!doctype html>\n<html>\n<head><title>Components App</title></head>\n<body><div data-cy-root></div></body>\n</html>\n"
    ws = tree(tmp_path, {"index.html": "<!doctype html>\n<html>\n<head><title>Todo</title></head>\n"
                                       "<body><p>Write down what you need to do today.</p></body>\n</html>\n",
                         "cypress/support/component-index.html": harness,
                         "e2e/fixtures/page.html": harness})
    _run(ws, "lang")
    assert '<html lang="en">' in (tmp_path / "index.html").read_text()
    assert (tmp_path / "cypress/support/component-index.html").read_text() == harness
    assert (tmp_path / "e2e/fixtures/page.html").read_text() == harness
