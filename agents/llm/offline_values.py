"""Values a person would type into a form the scout found, from each field's type, name and label.

What a real person types, not what a hidden rule wants: a flow must not know rules the page does not
state (the simulated user adapts only to what the page shows), so these plausibly break such rules.
"""

from __future__ import annotations

import re
from typing import Any

from agents.schemas import FieldInfo, FormPurpose

_SKIP_FIELD_TYPES = {"hidden", "submit", "button", "reset", "image", "file"}
# Writing something: what a first post or a first message says.
_TEXT = {
    FormPurpose.CREATE: "Hello! This is my first post here, just saying hi and trying things out.",
    FormPurpose.CONTACT: "Hello, I have a question about your service. Could you get back to me? Thanks.",
}
_BY_PURPOSE: dict[FormPurpose, tuple[tuple[tuple[str, ...], Any], ...]] = {
    FormPurpose.CREATE: (
        # A list's add box or a new row (a task, a to-do, a note): what people put on a list first.
        (("task", "todo", "to do", "to-do", "entry", "item", "what needs"), "Buy oat milk"),
        (("title", "subject", "headline", "name"), "My first post"),
        (("body", "content", "text", "message", "description", "story", "post"), _TEXT[FormPurpose.CREATE]),
    ),
    FormPurpose.CONTACT: (
        (("subject", "topic", "title"), "A question"),
        (("message", "body", "comment", "feedback", "content", "enquiry", "inquiry"), _TEXT[FormPurpose.CONTACT]),
    ),
}
_PLACEHOLDER = re.compile(r"^(-|select|choose|please|pick)", re.IGNORECASE)
_PASSWORD = "sunflower22"
_PHONE = "555-123-4567"
_BY_KEYWORD: tuple[tuple[tuple[str, ...], Any], ...] = (
    (("password", "passwd"), _PASSWORD),
    (("email", "e-mail"), "alex.morgan@example.com"),
    (("username", "user name", "login", "handle"), "alexmorgan42"),
    (("first", "given"), "Alex"),
    (("last", "surname", "family"), "Morgan"),
    (("full name", "fullname", "your name"), "Alex Morgan"),
    (("phone", "mobile", "tel"), _PHONE),
    (("birth", "dob", "birthday"), "1990-04-15"),
    (("age",), "34"),
    (("zip", "postal", "postcode"), "94110"),
    (("city", "town"), "San Francisco"),
    (("country",), "United States"),
    (("state", "region", "province"), "CA"),
    (("line2", "line 2", "apartment", "suite", "unit"), "Apt 4"),
    (("address", "street"), "12 Market Street"),
    (("company", "organisation", "organization", "employer"), "Acme Ltd"),
    (("website", "url", "homepage"), "https://example.com"),
    (("job", "role", "position", "occupation"), "Product manager"),
    (("terms", "agree", "consent", "accept", "privacy"), True),
    (("name",), "Alex Morgan"),
)
_BY_TYPE: dict[str, Any] = {
    "email": "alex.morgan@example.com",
    "password": _PASSWORD,
    "tel": _PHONE,
    "date": "1990-04-15",
    "number": "3",
    "url": "https://example.com",
    "checkbox": True,
}


def plausible_value(field: FieldInfo, purpose: FormPurpose = FormPurpose.OTHER) -> Any:
    """A natural value for a form field, from its type, name, label and the form's purpose; None to skip it."""
    kind = field.type.lower()
    if kind in _SKIP_FIELD_TYPES:
        return None
    if kind in ("select", "select-one") or field.options:
        real = [o.strip() for o in field.options if o.strip() and not _PLACEHOLDER.match(o.strip())]
        return real[0] if real else None  # skip "Choose one..." entries
    if kind in ("email", "password", "tel", "date", "url"):
        return _BY_TYPE[kind]
    words = f"{field.name} {field.label} {field.placeholder}"
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|[_\-]+", " ", words).lower()  # firstName, first_name -> first name
    for keywords, value in _BY_PURPOSE.get(purpose, ()) + _BY_KEYWORD:
        if any(re.search(rf"\b{re.escape(k)}", words) for k in keywords):
            return value if kind != "checkbox" or isinstance(value, bool) else True
    if kind == "textarea":
        return _TEXT.get(purpose, "Hello! Just trying this out.")
    return _BY_TYPE.get(kind, "Just browsing")
