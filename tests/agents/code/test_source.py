"""Edits change only the bytes they mean to: CRLF stays CRLF, latin-1 stays latin-1, a page with no
</head> keeps its doctype first."""

from __future__ import annotations

from pathlib import Path

from agents.code.markup import Editor, parse
from agents.code.recipe_agent import run_recipe_agent
from agents.code.recipes.base import RecipeContext, head_slot
from agents.code.site import Page
from agents.code.source import decode
from agents.schemas import SuggestionSpec
from tests.agents.conftest import OpenSandbox

PAGE = ("<!DOCTYPE html>\r\n<html><head><meta charset=\"iso-8859-1\"><title>Caf\u00e9</title></head>\r\n<body>\r\n"
        "<h1>Cr\u00e8me br\u00fbl\u00e9e club</h1>\r\n<form>\r\n<label for=\"pw\">Mot de passe</label>\r\n"
        "<input type=\"password\" id=\"pw\" name=\"pw\" minlength=\"9\">\r\n<button>Cr\u00e9er</button>\r\n"
        "</form>\r\n</body></html>\r\n").encode("latin-1")


class BytesWorkspace:
    """Files as bytes (what a sandbox with a byte API offers)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = dict(files)

    def list_files(self, path: str = ".") -> list[str]:
        return sorted(self.files)

    def read_file(self, path: str) -> str:
        return self.files[path].decode("utf-8", errors="replace")

    def read_bytes(self, path: str) -> bytes:
        return self.files[path]

    def write_file(self, path: str, content: str) -> None:
        self.files[path] = content.encode("utf-8")

    def write_bytes(self, path: str, data: bytes) -> None:
        self.files[path] = data


def _outside(before: bytes, after: bytes) -> tuple[bytes, bytes, bytes]:
    """(common prefix, inserted bytes, common suffix) of an edit that only inserts."""
    start = next(i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b)
    end = len(before) - start
    return after[:start], after[start : len(after) - end], after[len(after) - end :]


def test_decode_is_lossless_for_latin1_and_notes_crlf() -> None:
    file = decode("index.html", PAGE)
    assert file.encoding == "latin-1" and file.newline == "\r\n"
    assert file.encode(file.text) == PAGE
    assert file.native("a\nb\r\n") == "a\r\nb\r\n"
    assert file.encode("\u201cquoted\u201d") == b"&#8220;quoted&#8221;"


def test_password_hint_on_a_latin1_crlf_page_inserts_only_the_hint() -> None:
    ws = BytesWorkspace({"index.html": PAGE})
    result = run_recipe_agent(ws, SuggestionSpec(title="Explain the password rule", rationale="t"))
    assert result.status == "completed", result.error_message
    after = ws.files["index.html"]
    prefix, inserted, suffix = _outside(PAGE, after)
    assert prefix + suffix == PAGE  # every byte outside the edit is the page's own
    assert b"at least 9 characters" in inserted and b"\xef\xbf\xbd" not in after


def test_inserted_lines_take_the_file_newline_style() -> None:
    source = "<html>\r\n<body>\r\n<p>x</p>\r\n</body>\r\n</html>\r\n"
    editor = Editor(source)
    assert editor.before_end_of("body", "<script src=a.js></script>\n<!-- b -->\n", parse(source))
    out = editor.result()
    assert out.count("\r\n") == out.count("\n") and out.startswith(source[:20])


def test_a_stylesheet_never_goes_before_the_doctype_of_a_page_without_head() -> None:
    source = "<!doctype html>\n<title>x</title>\n<p>no head, no body end tags</p>\n"
    page = Page("index.html", source, parse(source))
    ctx = RecipeContext(ws=BytesWorkspace({"index.html": source.encode()}))
    editor = Editor(source)
    ctx.link_assets(editor, page, None, "style.css")
    assert editor.result().startswith("<!doctype html>\n<link rel=\"stylesheet\"") and head_slot(page) > 0


def test_in_a_sandbox_the_page_keeps_its_bytes_and_the_diff_only_the_edit(tmp_path: Path,
                                                                          open_box: OpenSandbox) -> None:
    repo = tmp_path / "cafe"
    repo.mkdir()
    (repo / "index.html").write_bytes(PAGE)
    with open_box(str(repo)) as sandbox:
        result = run_recipe_agent(sandbox, SuggestionSpec(title="Explain the password rule", rationale="t"),
                                  static_root=sandbox.app.static_root)
        after = (sandbox.workdir / "index.html").read_bytes()
        diff = sandbox.diff()
    assert result.status == "completed", result.error_message
    prefix, _, suffix = _outside(PAGE, after)
    assert prefix + suffix == PAGE
    assert diff.loc_changed == 2  # the input's line out and in, not every CRLF line of the page


UNUSUAL_FORM = """<!doctype html><html><head><title>Join</title></head><body>
<form>
<div class="row"><label for="first">First name</label><input id="first" name="first">
<label for="last">Last name</label><input id="last" name="last"></div>
<fieldset><label for="email">Email</label><input id="email" name="email" required>
<label for="fax">Fax</label><input id="fax" name="fax"></fieldset>
<div><label for="phone">Phone *</label><input id="phone" name="phone"></div>
<table><tr><td><label for="web">Website</label></td><td><input id="web" name="web"></td></tr></table>
<button>Join</button>
</form></body></html>"""


def test_shorter_form_never_hides_required_fields_nor_duplicates_or_breaks_rows() -> None:
    from agents.code.markup import parse as parse_html

    ws = BytesWorkspace({"index.html": UNUSUAL_FORM.encode()})
    result = run_recipe_agent(ws, SuggestionSpec(title="Make the form shorter", rationale="t"))
    assert result.status == "completed", result.error_message
    out = ws.files["index.html"].decode()
    details = parse_html(out).find_all("details")
    assert len(details) == 1
    hidden = {n.attrs.get("name") for n in details[0].iter() if n.tag == "input"}
    assert hidden == {"first", "last"}  # the shared row moved once, whole
    for name in ("first", "last", "email", "fax", "phone", "web"):
        assert out.count(f'name="{name}"') == 1  # nothing duplicated, nothing lost
    assert "Fax (optional)" in out and "Website (optional)" in out  # marked where they are
    assert "Phone * (optional)" not in out and "<tr><td>" in out
