"""Who is using the dashboard: Streamlit OIDC sign-in when secrets has [auth], else a labelled local mode.

Views call `signed_in()` then `require(...)`; the write functions in db/ check the role again, so
hiding a button is never the only protection.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import data
from db.session import session_scope
from db.users import get_or_create_user

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


def _local_user() -> dict[str, Any]:
    url = data.db_url()
    people = data.users(url)
    if not people:
        with session_scope(url) as s:
            get_or_create_user(s, LOCAL_ADMIN, role="admin", full_name="Local admin")
        data.users.clear()
        people = data.users(url)
    ids = [p["id"] for p in people]
    chosen = st.session_state.get("user_id")
    index = ids.index(chosen) if chosen in ids else 0
    by_id = {p["id"]: p for p in people}
    st.sidebar.markdown("**Local mode** · no sign-in configured")
    picked = st.sidebar.selectbox(
        "Act as", ids, index=index, format_func=lambda i: f"{by_id[i]['email']} ({by_id[i]['role']})",
        help="Without [auth] in secrets.toml anyone on this machine picks a user; roles still apply.",
    )
    st.session_state["user_id"] = picked
    return by_id[picked]


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
