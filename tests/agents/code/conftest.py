"""Fixtures for the code-agent tests: the system Chromium, an unseen shop (the settings, with a clean data
dir, are tests/agents/conftest.py's)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import system_chromium

ROOT = Path(__file__).resolve().parents[3]
SHOP = ROOT / "examples" / "shop"
SIGNUP = ROOT / "examples" / "signup"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-gpu"]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    path = system_chromium()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


TILE = """<div class="tile" data-category="{cat}">
  <h3><a href="items/{slug}.htm">{name}</a></h3>
  <em>&euro; {price}</em>
</div>"""
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Teahouse {n}</title></head>
<body>
<div class="top"><a href="catalogue.htm">Teahouse</a> <a href="basket.htm">Basket</a></div>
<section class="wares">
{tiles}
</section>
<div class="pager">{pager}</div>
</body></html>
"""
TEAS = [("Sencha Green", "Green"), ("Gyokuro Shade", "Green"), ("Assam Breakfast", "Black"),
        ("Darjeeling First Flush", "Black"), ("Silver Needle", "White"), ("White Peony", "White"),
        ("Tieguanyin Oolong", "Oolong"), ("Da Hong Pao", "Oolong"), ("Lapsang Souchong", "Black")]


@pytest.fixture
def unknown_shop(tmp_path: Path) -> Path:
    """A static shop with markup and file names the recipes have never seen (and its own test)."""
    root = tmp_path / "teahouse"
    (root / "items").mkdir(parents=True)
    (root / "tests").mkdir()
    pages = [TEAS[i : i + 3] for i in range(0, len(TEAS), 3)]
    names = ["catalogue.htm"] + [f"more-{i}.htm" for i in range(2, len(pages) + 1)]
    pager = " ".join(f'<a href="{n}">{i + 1}</a>' for i, n in enumerate(names))
    for n, (name, teas) in enumerate(zip(names, pages), start=1):
        tiles = "\n".join(
            TILE.format(cat=cat, slug=tea.lower().replace(" ", "-"), name=tea, price=f"{8 + 2 * i}.50")
            for i, (tea, cat) in enumerate(teas))
        (root / name).write_text(PAGE.format(n=n, tiles=tiles, pager=pager))
        for tea, _ in teas:
            (root / "items" / f"{tea.lower().replace(' ', '-')}.htm").write_text(
                f"<!doctype html><html><body><h1>{tea}</h1><button>Add to basket</button></body></html>")
    (root / "basket.htm").write_text("<!doctype html><html><body><h1>Basket</h1></body></html>")
    (root / "tests" / "test_pages.py").write_text(
        "import pathlib, unittest\n"
        "class Pages(unittest.TestCase):\n"
        "    def test_catalogue(self):\n"
        "        text = pathlib.Path('catalogue.htm').read_text()\n"
        "        self.assertIn('Sencha Green', text)\n"
    )
    # No index.html: the pages are served as files from the root, which the plan cannot guess.
    (root / "variantlab.toml").write_text('test = "python3 -m unittest discover -s tests -q"\nstatic_root = "."\n')
    return root


SCRIPTED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leaf &amp; Cup</title></head>
<body>
<header><nav><a href="index.html">Home</a> <a href="about.html">About</a> <a href="basket.html">Basket</a></nav></header>
<main>
<h1>Our teas</h1>
<div id="grid"><p class="loading">Loading&hellip;</p></div>
</main>
<script src="render.js"></script>
</body></html>
"""
SCRIPTED_RENDER = """// The grid arrives after a delay, as from an API.
var TEAS = %s;
setTimeout(function () {
  var grid = document.getElementById("grid");
  grid.innerHTML = "";
  TEAS.forEach(function (t) {
    var card = document.createElement("article");
    card.className = "tea";
    card.innerHTML = '<h2><a href="#' + t[0].toLowerCase().replace(/ /g, "-") + '">' + t[0] + '</a></h2><p>' + t[1] + '</p>'
      + '<span>\u20ac ' + t[2] + '</span>';
    grid.appendChild(card);
  });
}, 700);
"""


@pytest.fixture
def scripted_shop(tmp_path: Path) -> Path:
    """A static shop whose listing exists only after a script renders it (no product in the HTML)."""
    import json

    root = tmp_path / "leafcup"
    (root / "tests").mkdir(parents=True)
    (root / "index.html").write_text(SCRIPTED_PAGE)
    (root / "about.html").write_text("<!doctype html><html><body><h1>About us</h1></body></html>")
    teas = [[name, cat, f"{(7 * i) % 11 + 5}.50"] for i, (name, cat) in enumerate(TEAS)]
    (root / "render.js").write_text(SCRIPTED_RENDER % json.dumps(teas))
    (root / "tests" / "test_site.py").write_text(
        "import pathlib, unittest\n"
        "class Site(unittest.TestCase):\n"
        "    def test_teas_are_rendered_by_script(self):\n"
        "        self.assertIn('Sencha Green', pathlib.Path('render.js').read_text())\n"
    )
    (root / "variantlab.toml").write_text('test = "python3 -m unittest discover -s tests -q"\n')
    return root


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    """Serves a folder on loopback (a plain file server: what a static host does)."""
    servers = []

    def start(root: Path) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
