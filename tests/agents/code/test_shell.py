"""The document shell is found from what files hold, for every common kind of app."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.code.recipes.base import RecipeError
from agents.code.shell import find_shell, source_files


class DiskWorkspace:
    """A folder on disk behind the workspace API (text in, text out)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def list_files(self, path: str = ".") -> list[str]:
        base = self.root if path in ("", ".") else self.root / path
        return sorted(str(p.relative_to(self.root)) for p in base.rglob("*") if p.is_file())

    def read_file(self, path: str) -> str:
        return (self.root / path).read_text()

    def write_file(self, path: str, content: str) -> None:
        (self.root / path).parent.mkdir(parents=True, exist_ok=True)
        (self.root / path).write_text(content)


def tree(root: Path, files: dict[str, str]) -> DiskWorkspace:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return DiskWorkspace(root)


PAGE = "<!doctype html><html><head><title>t</title></head><body><main>{}</main></body></html>"


def test_static_pages_are_each_a_shell_and_vendored_or_ignored_files_are_not(tmp_path: Path) -> None:
    ws = tree(tmp_path, {
        "index.html": PAGE.format("home"), "about/us.html": PAGE.format("us"),
        "node_modules/pkg/demo.html": PAGE.format("dep"), "coverage/index.html": PAGE.format("cov"),
        "venv/lib/site.html": PAGE.format("venv"), "generated/out.html": PAGE.format("gen"),
        ".gitignore": "# build\ngenerated/\n*.log\n", "debug.log": "x",
    })
    shell = find_shell(ws)
    assert shell.kind == "static" and shell.documents == ("about/us.html", "index.html")
    assert shell.src("about/us.html", "m.js") == "../m.js" and shell.src("index.html", "m.js") == "m.js"
    assert "debug.log" not in source_files(ws)


def test_jinja_base_template_is_the_shell_and_flask_static_is_the_asset_folder(tmp_path: Path) -> None:
    ws = tree(tmp_path, {
        "blog/__init__.py": "from flask import Flask\ndef create_app():\n    app = Flask(__name__)\n    return app\n",
        "blog/templates/skeleton.html": "<!doctype html><html><body>{% block content %}{% endblock %}</body></html>",
        "blog/templates/auth/join.html": '{% extends "skeleton.html" %}{% block content %}<form></form>{% endblock %}',
        "blog/static/site.css": "body{}",
        ".venv/lib/python3/site-packages/flask/templates/page.html": "<html><body>{% block x %}{% endblock %}</body></html>",
        "README.md": "# blog",
    })
    shell = find_shell(ws)
    assert shell.kind == "jinja" and shell.documents == ("blog/templates/skeleton.html",)
    assert shell.asset("m.js") == "blog/static/m.js"
    assert shell.src(shell.documents[0], "m.js") == "{{ url_for('static', filename='m.js') }}"


def test_ejs_partial_holding_body_end_is_the_shell_and_express_static_the_folder(tmp_path: Path) -> None:
    ws = tree(tmp_path, {
        "package.json": '{"dependencies": {"express": "4", "ejs": "3"}}',
        "src/server.js": "const app = express();\napp.use('/assets', express.static(path.join(__dirname, '../www')));\n",
        "views/bits/top.ejs": "<!doctype html><html><head></head><body>",
        "views/bits/bottom.ejs": "<footer>f</footer></body></html>",
        "views/shop.ejs": "<%- include('bits/top') %><ul><% items.forEach(i => { %><li><%= i %></li><% }) %></ul><%- include('bits/bottom') %>",
    })
    shell = find_shell(ws)
    assert shell.kind == "ejs" and shell.documents == ("views/bits/bottom.ejs",)
    assert shell.asset("m.js") == "www/m.js" and shell.src("views/bits/bottom.ejs", "m.js") == "/assets/m.js"


def test_ejs_without_a_static_folder_fails_clearly(tmp_path: Path) -> None:
    ws = tree(tmp_path, {"server.js": "app.get('/', (q, r) => r.render('home'))\n",
                         "views/home.ejs": "<html><body>hi</body></html>"})
    with pytest.raises(RecipeError, match="express.static"):
        find_shell(ws)


def test_vite_source_index_is_the_shell_not_the_build_output(tmp_path: Path) -> None:
    ws = tree(tmp_path, {
        "package.json": '{"devDependencies": {"vite": "8"}, "dependencies": {"react": "19"}}',
        "vite.config.js": "export default defineConfig({ base: './', plugins: [react()] })",
        "index.html": '<!doctype html><html><body><div id="root"></div><script type="module" src="/src/main.jsx"></script></body></html>',
        "src/main.jsx": "createRoot(document.getElementById('root')).render(<App />)",
        "dist/index.html": "<html><body><script src='./assets/x.js'></script></body></html>",
    })
    shell = find_shell(ws, "dist")
    assert shell.kind == "vite" and shell.documents == ("index.html",)
    assert shell.asset("m.js") == "public/m.js" and shell.src("index.html", "m.js") == "./m.js"


def test_a_base_template_without_body_tags_is_the_one_the_others_extend(tmp_path: Path) -> None:
    ws = tree(tmp_path, {
        "app/__init__.py": "from flask import Flask\n\ndef create_app():\n    return Flask(__name__, static_folder='assets')\n",
        "app/templates/frame.html": "<!doctype html><title>{% block title %}{% endblock %}</title><nav></nav>"
                                    "<section>{% block content %}{% endblock %}</section>",
        "app/templates/auth/join.html": "{% extends 'frame.html' %}{% block content %}<form></form>{% endblock %}",
        "app/templates/macros.html": "{% macro field(name) %}<input name='{{ name }}'>{% endmacro %}",
    })
    shell = find_shell(ws)
    assert shell.kind == "jinja" and shell.documents == ("app/templates/frame.html",)
    assert shell.asset("m.js") == "app/assets/m.js"
