"""What a form is for, from generic signals only: input types, autocomplete tokens, English words."""

from __future__ import annotations

import pytest

from agents.browser.form_purpose import classify_form
from agents.schemas import FieldInfo, FormInfo, FormPurpose

U = "http://127.0.0.1:9/"


def form(*fields: tuple[str, str], heading: str = "", submit: str = "", action: str = "",
         autocomplete: dict[str, str] | None = None) -> FormInfo:
    auto = autocomplete or {}
    return FormInfo(page_url=U, heading=heading, submit_text=submit, action=action,
                    fields=[FieldInfo(name=n, type=t, label=n.replace("_", " ").title(),
                                      autocomplete=auto.get(n, "")) for n, t in fields])


ACCOUNT = (("username", "text"), ("password", "password"))


@pytest.mark.parametrize(("case", "expected"), [
    # Username + one password: the words around it decide between registering and logging in.
    (form(*ACCOUNT, heading="Register", submit="Register", action=f"{U}auth/register"), FormPurpose.SIGN_UP),
    (form(*ACCOUNT, heading="Log In", submit="Log In", action=f"{U}auth/login"), FormPurpose.LOG_IN),
    # No words at all: a confirmation password is a sign-up, a lone password a log-in.
    (form(("email", "email"), ("pw", "password"), ("pw2", "password")), FormPurpose.SIGN_UP),
    (form(("email", "email"), ("pw", "password")), FormPurpose.LOG_IN),
    # Autocomplete tokens are what browsers trust: new-password vs current-password.
    (form(("user", "text"), ("secret", "password"), autocomplete={"secret": "new-password"}), FormPurpose.SIGN_UP),
    (form(("user", "text"), ("secret", "password"), heading="Welcome",
          autocomplete={"secret": "current-password"}), FormPurpose.LOG_IN),
    (form(("first_name", "text"), ("last_name", "text"), ("email", "email"), ("password", "password"),
          ("terms", "checkbox"), heading="Create your account", submit="Get started"), FormPurpose.SIGN_UP),
    (form(("q", "search")), FormPurpose.SEARCH),
    (form(("query", "text"), submit="Go", action=f"{U}search"), FormPurpose.SEARCH),
    (form(("title", "text"), ("body", "textarea"), heading="New Post", submit="Save"), FormPurpose.CREATE),
    (form(("name", "text"), ("email", "email"), ("message", "textarea"), heading="Contact us", submit="Send"),
     FormPurpose.CONTACT),
    (form(("feedback", "textarea"), submit="Send feedback"), FormPurpose.CONTACT),
    (form(("name", "text"), ("card", "text"), ("exp", "text"), submit="Pay now",
          autocomplete={"card": "cc-number", "exp": "cc-exp"}), FormPurpose.CHECKOUT),
    (form(("name", "text"), ("address", "text"), ("zip", "text"), heading="Shipping address",
          submit="Place order", action=f"{U}checkout"), FormPurpose.CHECKOUT),
    (form(("colour", "select")), FormPurpose.OTHER),
])
def test_classify_form(case: FormInfo, expected: FormPurpose) -> None:
    assert classify_form(case) == expected


def test_no_password_means_no_account_form_whatever_the_words() -> None:
    # "Join our newsletter": an e-mail box and a button is not a sign-up with an account.
    newsletter = form(("email", "email"), heading="Join our newsletter", submit="Subscribe")
    assert classify_form(newsletter) == FormPurpose.OTHER
    assert classify_form(form(("q", "search"), heading="Sign in to see more")) == FormPurpose.SEARCH


@pytest.mark.parametrize(("case", "expected"), [
    # One text box: the button's verb breaks the tie between making something and looking it up.
    (form(("todo", "text"), heading="Todos", submit="Add Todo"), FormPurpose.CREATE),
    (form(("item", "text"), submit="+ Add"), FormPurpose.CREATE),
    (form(("text", "text"), heading="New Todo", submit="Save"), FormPurpose.CREATE),
    (form(("name", "text"), heading="Add their first product", submit="Create"), FormPurpose.CREATE),
    (form(("q", "text"), submit="Search"), FormPurpose.SEARCH),
    (form(("q", "search"), heading="Products", submit="Go"), FormPurpose.SEARCH),
    (FormInfo(page_url=U, submit_text="Find", role="search", fields=[FieldInfo(name="term", type="text")]),
     FormPurpose.SEARCH),
    (FormInfo(page_url=U, submit_text="New", role="search", fields=[FieldInfo(name="term", type="text")]),
     FormPurpose.SEARCH),  # a search landmark outweighs the button's word
    (form(("qty", "number"), submit="Add to cart"), FormPurpose.OTHER),  # adds to a cart, makes nothing
])
def test_one_box_forms_follow_what_the_button_does(case: FormInfo, expected: FormPurpose) -> None:
    assert classify_form(case) == expected
