"""Static sites: an index.html served as files, from the root or a conventional folder."""

from __future__ import annotations

from collections.abc import Mapping

from agents.sandbox.base import AppConfig, AppKind
from agents.sandbox.bringup.files import Tree, has
from agents.sandbox.bringup.plan import ambiguous, why

# Where static site generators and hand-written sites put the page a visitor lands on.
FOLDERS = (".", "public", "docs", "dist", "build", "site")


def static_roots(tree: Tree) -> list[str]:
    return [folder for folder in FOLDERS if has(tree, "index.html" if folder == "." else f"{folder}/index.html")]


def detect_static(tree: Tree, pinned: Mapping[str, object]) -> AppConfig | None:
    """The root wins over folders (it is what the repo serves as it is); two folders are a tie."""
    roots = static_roots(tree)
    if not roots:
        return None
    if "." in roots:
        others = ", ".join(f"{r}/" for r in roots[1:])
        because = "index.html at the root" + (f" (also in {others}; the root wins)" if others else "")
        root = "."
    elif len(roots) > 1 and "static_root" not in pinned:
        raise ambiguous("index.html found in more than one folder", [f"{r}/" for r in roots], "static_root")
    else:
        root = roots[0]
        because = f"index.html in {root}/"
    return AppConfig(kind=AppKind.STATIC, static_root=root,
                     evidence=(why("kind", AppKind.STATIC, because), why("static_root", root, because)))
