"""Two small sites for the scout, served on loopback: a blog with accounts, a shop whose grid is rendered late.

The blog keeps members and posts on the server (cookies, redirects, a create form only members see),
like a Flask tutorial app; it links to its /.git/ folder, which a scout must never open. The shop
fetches its catalogue and renders the grid after a delay, with a "Loading products…" placeholder.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PRODUCTS = [
    {"id": "p1", "name": "Walnut Desk Organiser", "category": "Office", "price": 42.0},
    {"id": "p2", "name": "Linen Apron", "category": "Kitchen", "price": 19.5},
    {"id": "p3", "name": "Enamel Mug", "category": "Kitchen", "price": 12.0},
    {"id": "p4", "name": "Brass Bookends", "category": "Office", "price": 55.0},
    {"id": "p5", "name": "Copper Kettle", "category": "Kitchen", "price": 64.0},
    {"id": "p6", "name": "Felt Desk Pad", "category": "Office", "price": 24.0},
]


def _page(title: str, body: str, member: str = "") -> str:
    nav = ('<a href="/create">New post</a> <a href="/logout">Log Out</a>' if member else
           '<a href="/register">Register</a> <a href="/login">Log In</a>')
    return (f"<!doctype html><html lang=en><head><title>{title}</title></head><body>"
            f'<nav><a href="/">Blog</a> {nav} <a href="/.git/">source</a> <a href="/feed.xml">feed</a></nav>'
            # A search form before every page's own form: a user fills the form their step is about.
            '<form action="/"><input type=search name=q aria-label="Search posts"><button>Search</button></form>'
            f"<main>{body}</main></body></html>")


def _form(heading: str, action: str, fields: str, submit: str, error: str = "") -> str:
    shown = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return (f'<h1>{heading}</h1>{shown}<form method="post" action="{action}">{fields}'
            f"<button type=submit>{submit}</button></form>")


_ACCOUNT = ('<label for=username>Username</label><input id=username name=username required>'
            '<label for=password>Password</label><input id=password name=password type=password required>')
_POST = ('<label for=title>Title</label><input id=title name=title required>'
         '<label for=body>Body</label><textarea id=body name=body></textarea>')


class Blog:
    def __init__(self) -> None:
        self.users: dict[str, str] = {}
        self.sessions: dict[str, str] = {}
        self.posts = [("Hello world", "The first post on this blog."), ("Spring notes", "Tulips are out."),
                      ("A walk by the river", "Herons, two of them.")]
        self.requested: list[str] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        blog = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def member(self) -> str:
                cookie = self.headers.get("Cookie", "")
                token = cookie.partition("session=")[2].split(";")[0]
                return blog.sessions.get(token, "")

            def send(self, body: str, status: int = 200, headers: dict[str, str] | None = None) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def redirect(self, to: str, cookie: str = "") -> None:
                self.send("", 302, {"Location": to, **({"Set-Cookie": cookie} if cookie else {})})

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                blog.requested.append(path)
                member = self.member()
                if path == "/":
                    posts = "".join(f'<article><h2><a href="/post/{n}">{html.escape(t)}</a></h2>'
                                    f"<p>{html.escape(b)}</p></article>"
                                    for n, (t, b) in reversed(list(enumerate(blog.posts))))
                    self.send(_page("Posts", f"<h1>Posts</h1>{posts}", member))
                elif path == "/register":
                    self.send(_page("Register", _form("Register", "/register", _ACCOUNT, "Register")))
                elif path == "/login":
                    self.send(_page("Log In", _form("Log In", "/login", _ACCOUNT, "Log In")))
                elif path == "/create":
                    if not member:
                        return self.redirect("/login")
                    self.send(_page("New post", _form("New Post", "/create", _POST, "Save"), member))
                elif path.startswith("/post/") and path[6:].isdigit() and int(path[6:]) < len(blog.posts):
                    title, body = blog.posts[int(path[6:])]
                    self.send(_page(title, f"<h1>{html.escape(title)}</h1><p>{html.escape(body)}</p>", member))
                elif path == "/logout":
                    self.redirect("/", "session=; Max-Age=0")
                else:
                    self.send(_page("Not found", "<h1>Not found</h1>"), 404)

            def do_POST(self) -> None:
                path = urlsplit(self.path).path
                blog.requested.append(path)
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                user, password = form.get("username", ""), form.get("password", "")
                if path == "/register":
                    if not user or not password or user in blog.users:
                        error = f"User {user} is already registered." if user in blog.users else "Fill in both."
                        return self.send(_page("Register", _form("Register", "/register", _ACCOUNT, "Register", error)))
                    blog.users[user] = password
                    return self.redirect("/login")
                if path == "/login":
                    if blog.users.get(user) != password or not user:
                        return self.send(_page("Log In", _form("Log In", "/login", _ACCOUNT, "Log In",
                                                                "Incorrect username or password.")))
                    token = secrets.token_hex(8)
                    blog.sessions[token] = user
                    return self.redirect("/", f"session={token}; Path=/")
                if path == "/create" and self.member() and form.get("title"):
                    blog.posts.append((form["title"], form.get("body", "")))
                    return self.redirect("/")
                self.send(_page("Error", "<h1>Bad request</h1>"), 400)

        return Handler


_SHOP = """<!doctype html><html lang=en><head><meta charset="utf-8"><title>Corner Shop</title></head><body>
<header><a href="/">Corner Shop</a> <a href="/about.html">About</a></header>
<main><h1>Products</h1>
<input type="search" id="q" placeholder="Search products" aria-label="Search products">
<select aria-label="Category"><option>All</option><option>Kitchen</option><option>Office</option></select>
<select aria-label="Sort by"><option>Featured</option><option>Price: low to high</option></select>
<ul id="grid"><li>Loading products…</li></ul></main>
<script>
let all = [];
const draw = items => { document.getElementById('grid').innerHTML = items.map(p =>
  `<li><a href="/p/${p.id}.html">${p.name}</a> <span>${p.category}</span> <span>$${p.price.toFixed(2)}</span></li>`).join(''); };
fetch('/products.json').then(r => r.json()).then(items => setTimeout(() => { all = items; draw(all); }, 700));
document.getElementById('q').addEventListener('keydown', e => {
  if (e.key === 'Enter') draw(all.filter(p => p.name.toLowerCase().includes(e.target.value.toLowerCase())));
});
</script></body></html>"""


# One document: hash routes for items, a listing paged in place by a "Next" button (3 a page).
_SPA = """<!doctype html><html lang=en><head><meta charset="utf-8"><title>Pantry</title></head><body>
<header><a href="#/">Pantry</a></header><main id="app"></main>
<script>
let page = 0, all = [];
const show = () => {
  const id = location.hash.startsWith('#/p/') ? location.hash.slice(4) : '';
  const app = document.getElementById('app');
  if (id) { const p = all.find(x => x.id === id);
    app.innerHTML = `<h1>${p.name}</h1><p>$${p.price.toFixed(2)}</p><a href="#/">Back</a>`; return; }
  app.innerHTML = '<h1>Recipes</h1><ul>' + all.slice(page * 3, page * 3 + 3).map(p =>
    `<li><a href="#/p/${p.id}">${p.name}</a> <span>${p.category}</span> <span>$${p.price.toFixed(2)}</span></li>`
  ).join('') + `</ul><button type=button id=next>${page ? 'Start over' : 'Next'}</button>`;
  document.getElementById('next').onclick = () => { page = (page + 1) % 2; show(); };
};
addEventListener('hashchange', show);
fetch('/products.json').then(r => r.json()).then(items => { all = items; show(); });
</script></body></html>"""


def shop_handler(requested: list[str]) -> type[BaseHTTPRequestHandler]:
    pages = {"/": _SHOP, "/about.html": "<!doctype html><title>About</title><h1>About us</h1><a href='/'>Home</a>",
             "/spa/": _SPA}
    for p in PRODUCTS:
        pages[f"/p/{p['id']}.html"] = (f"<!doctype html><title>{p['name']}</title><a href='/'>Back</a>"
                                       f"<h1>{p['name']}</h1><p>${p['price']:.2f}</p><button>Add to cart</button>")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            requested.append(path)
            kind, body = "text/html", pages.get(path)
            if path == "/products.json":
                kind, body = "application/json", json.dumps(PRODUCTS)
            data = (body or "not found").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def serve(handler: type[BaseHTTPRequestHandler]) -> tuple[str, ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server
