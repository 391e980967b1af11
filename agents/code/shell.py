"""The document shell: where a behaviour module is added once so that every rendered page loads it.

Found from what the files hold, never from their names: the source documents that render `</body>`
(static pages, the Jinja/Django template the others extend, the EJS layout or footer partial the
views include, a Vite app's source index.html), and the folder the app serves as it is (Flask's
static folder, the folder handed to express.static(...), Vite's public/, or the static root).
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
from dataclasses import dataclass

from agents.code.recipes.base import TEMPLATE_SUFFIXES, RecipeError
from agents.code.site import VENDORED, Workspace

JINJA_SYNTAX = re.compile(r"{%-?\s*(extends|block|include|if|for|macro|set)\b")
BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
EXTENDS = re.compile(r"""{%-?\s*extends\s+["']([^"']+)["']""")
EXPRESS_STATIC = re.compile(
    r"""(?:\.use\(\s*(?:(["'])(?P<mount>/[^"']*)\1\s*,\s*)?)?express\.static\(\s*"""
    r"""(?:path\.(?:join|resolve)\(\s*__dirname\s*,\s*)?(["'`])(?P<folder>[^"'`]+)\3""")
FLASK_APP = re.compile(r"\bFlask\(\s*__name__(?P<args>[^)]*)\)")


@dataclass(frozen=True)
class Shell:
    kind: str  # "static" | "jinja" | "ejs" | "vite"
    documents: tuple[str, ...]  # source files a module's <script> tag goes into (before </body>)
    asset_dir: str  # where a new module file is written
    url_base: str  # how a document names a file of asset_dir ("" for static: relative to the page)
    evidence: str

    def asset(self, name: str) -> str:
        return posixpath.normpath(posixpath.join(self.asset_dir, name))

    def src(self, document: str, name: str) -> str:
        """The URL of asset `name` as written in `document`."""
        if self.kind == "static":
            return posixpath.relpath(self.asset(name), posixpath.dirname(document) or ".")
        if self.kind == "jinja" and self.url_base == "url_for":
            return "{{ url_for('static', filename='" + name + "') }}"
        return self.url_base + name


def source_files(ws: Workspace, root: str = ".") -> list[str]:
    """The app's own files: no dependency, vendored or build folders, nothing git ignores.

    Folders are judged below `root`, so a static root that is itself a build folder still counts.
    """
    ignored = _gitignore(ws)
    prefix = "" if root in ("", ".") else root.rstrip("/") + "/"
    out = []
    for path in ws.list_files(root):
        inner = path.removeprefix(prefix)
        if any(p in VENDORED for p in inner.split("/")[:-1]) or (not prefix and _ignored(path, ignored)):
            continue
        out.append(path)
    return out


def _gitignore(ws: Workspace) -> list[str]:
    try:
        text = ws.read_file(".gitignore")
    except (OSError, ValueError, KeyError):
        return []
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith(("#", "!"))]


def _ignored(path: str, patterns: list[str]) -> bool:
    """Enough of .gitignore's rules for the usual lines (names, globs, anchored paths, folders/)."""
    parts = path.split("/")
    for raw in patterns:
        dir_only = raw.endswith("/")
        pattern = raw.strip("/")
        if raw.startswith("/") or "/" in pattern:
            prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + (0 if dir_only else 1))]
            if any(fnmatch.fnmatch(p, pattern) for p in prefixes):
                return True
        elif any(fnmatch.fnmatch(p, pattern) for p in (parts[:-1] if dir_only else parts)):
            return True
    return False


def find_shell(ws: Workspace, static_root: str = ".") -> Shell:
    files = source_files(ws)
    return (_vite(ws, files) or _templates(ws, files, "ejs") or _templates(ws, files, "jinja")
            or _static(ws, static_root))


def _read(ws: Workspace, path: str) -> str:
    from agents.code.source import read_source

    return read_source(ws, path).text


def _vite(ws: Workspace, files: list[str]) -> Shell | None:
    for manifest in (f for f in files if posixpath.basename(f) == "package.json"):
        try:
            package = json.loads(_read(ws, manifest))
        except ValueError:
            continue
        deps = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
        if "vite" not in deps:
            continue
        folder = posixpath.dirname(manifest)
        index = posixpath.join(folder, "index.html") if folder else "index.html"
        if index not in files:
            continue
        config = next((_read(ws, f) for f in files if posixpath.dirname(f) == folder
                       and re.fullmatch(r"vite\.config\.[cm]?[jt]s", posixpath.basename(f))), "")
        base = re.search(r"""\bbase\s*:\s*["'`]([^"'`]*)["'`]""", config)
        public = re.search(r"""\bpublicDir\s*:\s*["'`]([^"'`]+)["'`]""", config)
        url_base = base.group(1) if base else "/"
        url_base = url_base if url_base.endswith("/") else url_base + "/"
        public_dir = posixpath.normpath(posixpath.join(folder or ".", public.group(1) if public else "public"))
        return Shell("vite", (index,), public_dir, url_base,
                     f"{manifest} depends on vite: the source {index} is the shell; {public_dir}/ is copied "
                     f"to the build and served at {url_base}")
    return None


def _templates(ws: Workspace, files: list[str], kind: str) -> Shell | None:
    if kind == "ejs":
        candidates = [f for f in files if f.endswith(".ejs")]
    else:
        candidates = [f for f in files if f.endswith(TEMPLATE_SUFFIXES[:-1]) and JINJA_SYNTAX.search(_read(ws, f))]
    documents = tuple(f for f in candidates if BODY_END.search(_read(ws, f)))
    if candidates and not documents and kind == "jinja":
        # A base template may leave <body> to the parser (no </body> at all): it is the template the
        # others extend and that extends none; the module goes at its end.
        extended = {m.group(1) for f in candidates for m in EXTENDS.finditer(_read(ws, f))}
        documents = tuple(f for f in candidates if any(f == e or f.endswith("/" + e) for e in extended)
                          and not EXTENDS.search(_read(ws, f)))
    if not candidates or not documents:
        return None
    if kind == "ejs":
        folder, mount, server = _express_static(ws, files)
        if folder is None:
            raise RecipeError("the EJS app serves no static folder (no express.static(...) in its server "
                              "source), so a behaviour module has nowhere to be served from")
        return Shell("ejs", documents, folder, mount,
                     f"{', '.join(documents)} render </body>; {server} serves {folder}/ at {mount}")
    static, how = _flask_static(ws, files, documents[0])
    return Shell("jinja", documents, static, "url_for" if how == "flask" else "/static/",
                 f"{', '.join(documents)} (the base template, rendered by every page); {static}/ is served at /static/ "
                 f"({how})")


def _express_static(ws: Workspace, files: list[str]) -> tuple[str | None, str, str]:
    for path in files:
        if not path.endswith((".js", ".mjs", ".cjs", ".ts")) or "/test" in f"/{path}":
            continue
        text = _read(ws, path)
        match = EXPRESS_STATIC.search(text)
        if match:
            folder = posixpath.normpath(posixpath.join(posixpath.dirname(path) or ".", match.group("folder")))
            mount = (match.group("mount") or "/").rstrip("/") + "/"
            return folder, mount, path
    return None, "/", ""


def _flask_static(ws: Workspace, files: list[str], template: str) -> tuple[str, str]:
    for path in (f for f in files if f.endswith(".py")):
        match = FLASK_APP.search(_read(ws, path))
        if match:
            folder = re.search(r"""static_folder\s*=\s*["']([^"']+)["']""", match.group("args"))
            base = posixpath.dirname(path) or "."
            return posixpath.normpath(posixpath.join(base, folder.group(1) if folder else "static")), "flask"
    # No Flask app found (Django, or another framework): the static folder beside the templates.
    templates = template.split("templates/")[0]
    return posixpath.normpath(posixpath.join(templates or ".", "static")), "a static/ folder beside the templates"


def _static(ws: Workspace, static_root: str) -> Shell:
    pages = [f for f in source_files(ws, static_root) if f.lower().endswith((".html", ".htm"))]
    pages = [f for f in pages if not any(p in ("tests", "test") for p in f.split("/")[:-1])]
    if not pages:
        raise RecipeError("no page, template or SPA index.html found to load a behaviour module from")
    return Shell("static", tuple(pages), static_root, "", f"{len(pages)} static page(s) under {static_root}")
