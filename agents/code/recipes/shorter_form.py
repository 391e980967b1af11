"""Shorter form: mark optional fields clearly and tuck them behind "More details"."""

from __future__ import annotations

from agents.code.markup import Editor, Node
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.forms import find_form
from agents.code.site import label_for

# Distinct markups: one per summary text of the optional block.
VARIANTS = 2
SUMMARIES = ["More details (optional)", "Add optional details"]


def _row(form: Node, control: Node) -> Node:
    """The smallest element holding the control and its label, to move them together."""
    label = label_for(form, control)
    node = control
    while node.parent is not None and node.parent is not form:
        node = node.parent
        if label is None or label in list(node.iter()):
            return node
    return control


def _mark(start: int, labels: list[Node]) -> list[tuple[int, str]]:
    return [(lab.inner_end - start, " (optional)") for lab in labels if "optional" not in lab.text().lower()]


def _with_marks(text: str, marks: list[tuple[int, str]]) -> str:
    for offset, mark in sorted(marks, reverse=True):
        text = text[:offset] + mark + text[offset:]
    return text


def apply(ctx: RecipeContext) -> str:
    info = find_form(ctx)
    optional = [c for c in info.controls if "required" not in c.attrs and c.attrs.get("type") != "checkbox"]
    if not optional:
        raise RecipeError("every field of the form is required (or a checkbox); nothing optional to mark or hide")
    source = info.page.source
    editor = Editor(source)
    labels = {id(c): lab for c in optional if (lab := label_for(info.form, c)) is not None}
    rows = [_row(info.form, c) for c in optional]
    # Whole rows (label + control) move behind the toggle; a bare control is only marked in place.
    movable = [r for r in rows if r.tag not in ("input", "select", "textarea")]
    moved_controls = {id(c) for c, r in zip(optional, rows) if r in movable}
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
