"""Shorter form: mark optional fields clearly and tuck them behind "More details"."""

from __future__ import annotations

from agents.code.markup import Editor, Node
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.forms import find_form
from agents.code.site import label_for

# Distinct markups: one per summary text of the optional block.
VARIANTS = 2
SUMMARIES = ["More details (optional)", "Add optional details"]


def _required(form: Node, control: Node) -> bool:
    """Required by attribute, or as its label says ("Phone *", "(required)"): many forms check in script."""
    if "required" in control.attrs or control.attrs.get("aria-required") == "true":
        return True
    label = label_for(form, control)
    return label is not None and ("*" in label.text() or "required" in label.text().lower())


def _row(form: Node, control: Node) -> Node:
    """The smallest element holding the control and its label, to move them together."""
    label = label_for(form, control)
    node = control
    while node.parent is not None and node.parent is not form:
        node = node.parent
        if label is None or label in list(node.iter()):
            return node
    return control


def _movable_rows(form: Node, optional: list[Node], rows: list[Node], all_controls: set[int]) -> list[Node]:
    """The rows that can move behind the toggle without breaking the form.

    A row moves only if it is a whole row (not a bare control), is not inside another such row and
    appears once (two controls can share one row), holds no control that is required or hidden from
    the optional set (a required field behind a closed toggle cannot be filled), and sits beside the
    first one: moving a table row or a row from another section into the block would break them.
    """
    optional_ids = {id(c) for c in optional}
    candidates: list[Node] = []
    for row in rows:
        if row.tag in ("input", "select", "textarea", "tr", "td", "th", "tbody") or row in candidates:
            continue
        inside = [n for n in row.iter() if id(n) in all_controls]
        if any(id(n) not in optional_ids for n in inside):
            continue
        candidates.append(row)
    outer = [r for r in candidates if not any(o is not r and r in list(o.iter()) for o in candidates)]
    return [r for r in outer if outer and r.parent is outer[0].parent]


def _mark(start: int, labels: list[Node]) -> list[tuple[int, str]]:
    return [(lab.inner_end - start, " (optional)") for lab in labels if "optional" not in lab.text().lower()]


def _with_marks(text: str, marks: list[tuple[int, str]]) -> str:
    for offset, mark in sorted(marks, reverse=True):
        text = text[:offset] + mark + text[offset:]
    return text


def apply(ctx: RecipeContext) -> str:
    info = find_form(ctx)
    optional = [c for c in info.controls if not _required(info.form, c) and c.attrs.get("type") != "checkbox"]
    if not optional:
        raise RecipeError("every field of the form is required (or a checkbox); nothing optional to mark or hide")
    source = info.page.source
    editor = Editor(source)
    labels = {id(c): lab for c in optional if (lab := label_for(info.form, c)) is not None}
    movable = _movable_rows(info.form, optional, [_row(info.form, c) for c in optional], set(map(id, info.controls)))
    moved_controls = {id(n) for r in movable for n in r.iter()}
    for control in optional:
        if id(control) not in moved_controls and id(control) in labels:
            editor.insert(labels[id(control)].inner_end, " (optional)")
    if movable:
        summary = str(ctx.pick(SUMMARIES))
        pieces = []
        for row in movable:
            inside = [labels[id(c)] for c in optional if id(c) in labels and labels[id(c)] in list(row.iter())]
            pieces.append(_with_marks(source[row.start : row.end], _mark(row.start, inside)))
        block = f'<details class="vl-more"><summary>{summary}</summary>\n' + "\n".join(pieces) + "\n</details>"
        # The first row's place takes the whole block; the other rows are removed where they were.
        editor.replace(movable[0].start, movable[0].end, block)
        for row in movable[1:]:
            editor.replace(row.start, row.end, "")
    ctx.write(info.page.path, editor.result(),
              f"marked {len(optional)} optional field(s); moved {len(movable)} behind a details toggle")
    return f"Marked {len(optional)} optional field(s) as optional; {len(movable)} tucked behind a details toggle."
