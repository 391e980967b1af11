"""Structural tests of the sign-up app: run with `python3 -m unittest discover -s tests -q` from its root.

They check what must stay true whatever a change does to the form (it exists, every field is
labelled, a strong password is still required, submit leads to the welcome page, nothing
external is loaded) and never pin the form's length or wording.
"""

from __future__ import annotations

import re
import unittest
from pathlib import Path

from signup_html import Node, is_external, local_target, parse

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = re.compile(r"https?://www\.w3\.org/[\w/.-]*")
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


def site_files(*suffixes: str) -> list[Path]:
    skip = {"tests", "tools", "node_modules", ".git"}
    return sorted(
        p
        for p in ROOT.rglob("*")
        if p.is_file() and p.suffix in suffixes and not skip & set(p.relative_to(ROOT).parts)
    )


def signup_form() -> tuple[Node, Node]:
    tree, _ = parse(ROOT / "index.html")
    forms = [f for f in tree.find_all("form") if f.attrs.get("id") == "signup-form"]
    if len(forms) != 1:
        raise AssertionError('index.html must hold exactly one <form id="signup-form">')
    return tree, forms[0]


def controls(form: Node) -> list[Node]:
    return [
        n
        for n in form.iter()
        if n.tag in ("input", "select", "textarea")
        and n.attrs.get("type", "").lower() not in UNLABELLED_TYPES
    ]


def form_scripts() -> str:
    tree, _ = parse(ROOT / "index.html")
    page = ROOT / "index.html"
    texts = []
    for script in tree.find_all("script"):
        if "src" in script.attrs:
            target = local_target(page, script.attrs["src"])
            if target is not None and target.is_file():
                texts.append(target.read_text(encoding="utf-8"))
        else:
            texts.append(script.text())
    return "\n".join(texts)


class Pages(unittest.TestCase):
    def test_every_page_is_well_formed(self) -> None:
        for page in site_files(".html"):
            with self.subTest(page=page.name):
                tree, errors = parse(page)
                self.assertEqual(errors, [])
                self.assertIsNotNone(tree.find("title"))

    def test_every_local_link_resolves(self) -> None:
        for page in site_files(".html"):
            tree, _ = parse(page)
            for node in tree.iter():
                for attr in ("href", "src", "action"):
                    target = local_target(page, node.attrs.get(attr, ""))
                    if target is not None:
                        with self.subTest(page=page.name, link=node.attrs[attr]):
                            self.assertTrue(target.is_file(), f"{page.name}: {node.attrs[attr]} is missing")

    def test_no_external_urls(self) -> None:
        for page in site_files(".html"):
            tree, _ = parse(page)
            for node in tree.iter():
                for attr in ("href", "src", "action", "srcset", "poster", "data"):
                    with self.subTest(page=page.name, attr=attr):
                        self.assertFalse(is_external(node.attrs.get(attr, "")), node.attrs.get(attr))
        for path in site_files(".html", ".css", ".js"):
            text = NAMESPACE.sub("", path.read_text(encoding="utf-8"))
            with self.subTest(file=path.name):
                self.assertNotRegex(text, r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/")
                self.assertNotRegex(text, r"(?i)url\(\s*['\"]?(https?:)?//")

    def test_welcome_page_exists(self) -> None:
        tree, _ = parse(ROOT / "welcome.html")
        self.assertIn("welcome", tree.find("h1").text().lower())


class Form(unittest.TestCase):
    def test_form_has_controls_and_a_submit_button(self) -> None:
        _, form = signup_form()
        self.assertGreater(len(controls(form)), 0)
        submits = [
            n
            for n in form.iter()
            if (n.tag == "button" and n.attrs.get("type", "submit") == "submit")
            or (n.tag == "input" and n.attrs.get("type") == "submit")
        ]
        self.assertTrue(submits, "no submit button")

    def test_every_control_has_a_label(self) -> None:
        tree, form = signup_form()
        label_for = {label.attrs.get("for") for label in tree.find_all("label")}
        wrapped = {id(n) for label in tree.find_all("label") for n in label.iter()}
        ids = [n.attrs.get("id") for n in tree.iter() if n.attrs.get("id")]
        self.assertEqual(len(ids), len(set(ids)), "duplicate ids")
        for control in controls(form):
            name = control.attrs.get("name") or control.attrs.get("id")
            with self.subTest(control=name):
                self.assertTrue(control.attrs.get("name"), "control without a name")
                labelled = control.attrs.get("id") in label_for or id(control) in wrapped
                self.assertTrue(labelled or control.attrs.get("aria-label"), "control without a label")

    def test_password_and_email_are_asked(self) -> None:
        _, form = signup_form()
        types = {c.attrs.get("type", "text").lower() for c in controls(form)}
        self.assertIn("password", types)
        self.assertIn("email", types)


class Validator(unittest.TestCase):
    def test_script_validates_on_submit(self) -> None:
        js = form_scripts()
        self.assertIn("signup-form", js)
        self.assertRegex(js, r"""addEventListener\(\s*["']submit["']""")
        self.assertIn("preventDefault", js)
        self.assertIn("welcome.html", js)

    def test_password_rule_is_still_enforced(self) -> None:
        # A friendlier form may explain the rule, but must not weaken it.
        js = form_scripts()
        self.assertRegex(js, r"length\s*>=\s*10|length\s*<\s*10|\{10,\}")
        self.assertRegex(js, r"\\d|\[0-9\]")
        self.assertRegex(js, r"\[\^A-Za-z0-9\]|\[\^a-zA-Z0-9\]|\\W")


if __name__ == "__main__":
    unittest.main()
