"""Accessibility fixes edit the source that renders the element, in its own syntax, one attribute each."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.code.behaviour import check_behaviour
from agents.code.recipe_agent import run_recipe_agent
from agents.schemas import SuggestionSpec
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
def test_the_audit_fails_before_and_passes_after(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    ws = tree(tmp_path, {"index.html": '<!doctype html><html><body><a href="more.html">More</a>'
                                       '<img src="cat-on-mat.png"><label>Name <input name="n"></label></body></html>',
                         "more.html": '<!doctype html><html><body><input name="zip_code"></body></html>'})
    url = serve(tmp_path)
    for recipe in ("lang", "alt_text", "input_labels"):
        assert check_behaviour(recipe, url).passed is False
        _run(ws, recipe)
        verdict = check_behaviour(recipe, url)
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
