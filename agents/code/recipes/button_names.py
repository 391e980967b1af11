"""Names for buttons that show only an icon: an aria-label from what the icon or the button's own
class says it does ("fa-trash" → "Delete", "add-button" → "Add").

An icon-only button is announced as just "button" (axe's button-name rule, one of the most common
findings on single-page apps). The icon's name is how its author said what it does, so the words in
the icon's classes, its icon-library name or the button's class and id are read against a vocabulary
of common actions. A button whose markup says nothing the vocabulary knows is left alone, and said so.
"""

from __future__ import annotations

import re

from agents.code.jsx import JSX_SUFFIXES, elements
from agents.code.markup import Node, escape_attr
from agents.code.recipes.a11y import BOUND, Fix, close_offset, markup_sources, write_fixes
from agents.code.recipes.base import TEST_FOLDERS, RecipeContext
from agents.code.site import Page

VARIANTS = 1
# Icon and class words → the action a screen reader should announce. Whole words only, first match in
# the markup wins, so the icon inside the button speaks before the button's own classes.
ACTIONS: tuple[tuple[str, str], ...] = (
    (r"plus|add|create|new", "Add"),
    (r"trash|delete|remove|bin|garbage", "Delete"),
    (r"times|close|xmark|cross|dismiss|window-close", "Close"),
    (r"pen|pencil|edit|pen-to-square", "Edit"),
    (r"search|magnifying|magnifier|loupe", "Search"),
    (r"bars|menu|hamburger|navicon|burger", "Menu"),
    (r"sort|sort-amount|arrow-down-wide-short", "Sort"),
    (r"filter|funnel|sliders", "Filter"),
    (r"cart|basket|shopping-bag", "Cart"),
    (r"heart|favou?rite|like", "Favourite"),
    (r"share|share-nodes", "Share"),
    (r"check|done|tick|checkmark", "Done"),
    (r"cog|gear|settings|preferences", "Settings"),
    (r"user|account|profile|avatar", "Account"),
    (r"home|house", "Home"),
    (r"arrow-left|chevron-left|angle-left|back|prev|previous", "Previous"),
    (r"arrow-right|chevron-right|angle-right|next|forward", "Next"),
    (r"download", "Download"),
    (r"upload", "Upload"),
    (r"copy|clipboard|duplicate", "Copy"),
    (r"refresh|sync|reload|rotate|redo", "Refresh"),
    (r"play", "Play"),
    (r"pause", "Pause"),
    (r"save|floppy|floppy-disk", "Save"),
    (r"bell|notification|notifications", "Notifications"),
    (r"moon|sun|theme|dark-mode", "Switch theme"),
    (r"info|circle-info", "Information"),
    (r"question|help|circle-question", "Help"),
    (r"expand|maximize", "Expand"),
    (r"collapse|minimize|compress", "Collapse"),
    (r"star", "Star"),
    (r"print|printer", "Print"),
    (r"envelope|mail|email", "Email"),
    (r"eye|show", "Show"),
)
_ACTION_RES = [(re.compile(rf"(?<![a-z0-9])(?:{words})(?![a-z0-9])"), name) for words, name in ACTIONS]
NAME_ATTRS = ("aria-label", "aria-labelledby", "title")
TEMPLATE_CODE = re.compile(r"{{.*?}}|{%.*?%}|<%.*?%>|{[^{}]*}", re.DOTALL)


def action_name(*texts: str) -> str | None:
    """The action the first of these texts names, e.g. ("fa-solid fa-trash",) → "Delete"."""
    for text in texts:
        words = re.sub(r"([a-z])([A-Z])", r"\1-\2", text).lower().replace("_", "-")
        found = [(match.start(), name) for pattern, name in _ACTION_RES if (match := pattern.search(words))]
        if found:
            return min(found)[1]
    return None


def apply(ctx: RecipeContext) -> str:
    fixes = _markup_fixes(ctx) + _jsx_fixes(ctx)
    return write_fixes(ctx, fixes, "no button in the sources is without a name, or none says what it does "
                                   "through its icon or class (give those an aria-label by hand)")


def _named(node: Node) -> bool:
    return any(node.attrs.get(a) or any(f"{p}{a}" in node.attrs for p in BOUND) for a in NAME_ATTRS)


def _shows_text(node: Node) -> bool:
    """Text inside the button, written or computed ({{ label }}), or an image with its alternative."""
    if node.text().strip():
        return True
    return any(child.tag == "img" and (child.attrs.get("alt") or any(f"{p}alt" in child.attrs for p in BOUND))
               for child in node.iter()) or any(child.tag == "title" for child in node.iter())


def _markup_fixes(ctx: RecipeContext) -> list[Fix]:
    fixes = []
    for page in markup_sources(ctx):
        for node in page.root.iter():
            if node.tag != "button" or _named(node) or _shows_text(node):
                continue
            inside = [" ".join(f"{k} {v}" for k, v in child.attrs.items()) + " " + " ".join(child.text_parts)
                      for child in list(node.iter())[1:]]
            name = action_name(" ".join(inside), " ".join(f"{k} {v}" for k, v in node.attrs.items()
                                                            if k in ("class", "id", "name", ":class")))
            if name:
                fixes.append(_fix(page, node, name))
    return fixes


def _fix(page: Page, node: Node, name: str) -> Fix:
    return Fix(page.path, close_offset(page, node), f' aria-label="{escape_attr(name)}"',
               f"the name {name!r} for an icon-only button")


def _jsx_fixes(ctx: RecipeContext) -> list[Fix]:
    from agents.code.shell import source_files

    fixes = []
    for path in source_files(ctx.ws):
        if not path.endswith(JSX_SUFFIXES) or any(p.lower() in TEST_FOLDERS for p in path.split("/")[:-1]) \
                or re.search(r"\.(test|spec)\.", path):
            continue
        source = ctx.read(path)
        for el in elements(path, source):
            if el.tag != "button" or any(a in el.attrs for a in NAME_ATTRS):
                continue
            inner = source[el.attr_end:el.end]
            inner = inner[inner.find(">") + 1:] if ">" in inner else ""
            words = re.sub(r"<[^>]*>", " ", TEMPLATE_CODE.sub(" ", inner)).strip()
            if words or re.search(r"{\s*[\w.]+\s*}", inner) and not re.search(r"<\w", inner):
                continue  # it shows text, written or computed
            name = action_name(inner, " ".join(f"{k} {v}" for k, v in el.attrs.items() if k in ("className", "id")))
            if name:
                fixes.append(Fix(path, el.attr_end, f' aria-label="{escape_attr(name)}"',
                                 f"the name {name!r} for an icon-only button"))
    return fixes
