"""Who is using the dashboard: Streamlit OIDC sign-in when secrets has [auth], else a labelled local mode.

Views call `signed_in()` then `require(...)`; the write functions in db/ check the role again, so
hiding a button is never the only protection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashboard import data
from db.session import session_scope
from db.users import PermissionDenied, get_or_create_user
from db.validation import InvalidInput

LOCAL_ADMIN = "admin@localhost"
ROLE_BADGE = {"admin": ":red-badge[admin]", "analyst": ":blue-badge[analyst]", "tester": ":green-badge[tester]"}


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all means "not configured"
        return False


def _admin_emails() -> list[str]:
    try:
        return list(st.secrets.get("variantlab", {}).get("admin_emails", []))
    except Exception:  # noqa: BLE001
        return []


def _remember(user: Any) -> dict[str, Any]:
    row = {"id": user.id, "email": user.email, "full_name": user.full_name, "role": user.role}
    st.session_state["user"] = row
    return row


def _oidc_user() -> dict[str, Any]:
    if not st.user.is_logged_in:
        st.title("variantlab")
        st.write("Sign in to see experiments and evaluations.")
        st.button("Log in", on_click=st.login, type="primary")
        st.stop()
    email = str(st.user.get("email") or "")
    cached = st.session_state.get("user")
    if cached and cached["email"] == email:
        return cached
    role = "admin" if email in _admin_emails() else "tester"
    with session_scope(data.db_url()) as s:
        return _remember(get_or_create_user(s, email, role=role, full_name=st.user.get("name")))


@dataclass(frozen=True)
class LocalPerson:
    email: str
    role: str
    full_name: str


# Local mode has no sign-in: whoever uses this machine acts as anyone. One person of each role is
# offered before they exist, so the whole flow (evaluate as a tester, approve as an analyst, verify
# as an admin) can be walked offline; the pipeline's own admin alone would reach none of it.
LOCAL_PEOPLE = (LocalPerson(LOCAL_ADMIN, "admin", "Local admin"),
                LocalPerson("analyst@localhost", "analyst", "Local analyst"),
                LocalPerson("tester@localhost", "tester", "Local tester"))


def _create_local(url: str, person: LocalPerson) -> None:
    """Create the person. A tester on PostgreSQL also gets a database login of their own
    (db/users.py), which needs the app's role to have CREATEROLE: say so rather than fail."""
    try:
        with session_scope(url) as s:
            get_or_create_user(s, person.email, role=person.role, full_name=person.full_name)
    except (PermissionDenied, InvalidInput) as exc:
        st.error(f"Cannot act as {person.email}: {exc}")
        st.stop()
    finally:
        data.users.clear()


def _picked() -> None:
    st.session_state["act_as_picked"] = st.session_state["act_as"]


def _local_user() -> dict[str, Any]:
    url = data.db_url()
    people = {p["email"]: p for p in data.users(url)}
    offered = {person.email: person for person in LOCAL_PEOPLE if person.email not in people}
    emails = {p["id"]: email for email, p in people.items()}
    current = st.session_state.pop("act_as_picked", None) or emails.get(st.session_state.get("user_id"))
    if current not in people and current not in offered:  # nobody chosen yet
        current = next(iter(people), LOCAL_ADMIN)
    if current in offered:
        _create_local(url, offered.pop(current))
        people = {p["email"]: p for p in data.users(url)}
    # user_id is the one record of who this is (a widget's own state does not follow it from one
    # page to the next): the picker is set from it on every run and reports a change through _picked.
    st.session_state["user_id"] = people[current]["id"]
    st.session_state["act_as"] = current
    st.sidebar.markdown("**Local mode** · no sign-in configured")
    st.sidebar.selectbox(
        "Act as", [*people, *offered], key="act_as", on_change=_picked,
        format_func=lambda e: f"{e} ({people[e]['role']})" if e in people else f"{e} ({offered[e].role}, new)",
        help="Without [auth] in secrets.toml anyone on this machine acts as any user; roles still apply. "
             "A user marked new is created when picked.",
    )
    return people[current]


def signed_in() -> dict[str, Any]:
    """The current user as {id, email, full_name, role}; stops the page when nobody is signed in."""
    if _oidc_configured():
        user = _oidc_user()
        st.sidebar.markdown(f"Signed in as **{user['email']}** {ROLE_BADGE[user['role']]}")
        st.sidebar.button("Log out", on_click=st.logout)
        return user
    user = _local_user()
    st.sidebar.markdown(ROLE_BADGE[user["role"]])
    return user


def require(user: dict[str, Any], *roles: str) -> None:
    """Stop the view with a clear message unless the user has one of `roles`."""
    if user["role"] not in roles:
        st.error(f"This page is for {' or '.join(roles)} users; you are signed in as a {user['role']}.")
        st.stop()
