"""The account rules the server enforces, whatever the pages look like."""

import pytest
from blog.db import get_db
from flask import g, session


def user_count(app, username):
    with app.app_context():
        return get_db().execute("SELECT COUNT(*) FROM user WHERE username = ?", (username,)).fetchone()[0]


def test_register_page_has_the_three_fields(client):
    page = client.get("/auth/register")
    assert page.status_code == 200
    for name in (b'name="username"', b'name="email"', b'name="password"'):
        assert name in page.data


def test_register_creates_the_account(client, auth, app):
    response = auth.register()
    assert response.status_code < 400
    assert user_count(app, "ana") == 1
    with app.app_context():
        stored = get_db().execute("SELECT email, password FROM user WHERE username = 'ana'").fetchone()
    assert stored["email"] == "ana@example.com"
    assert stored["password"] != "birdsong2024"  # hashed


@pytest.mark.parametrize(
    ("username", "email", "password"),
    [
        ("", "ana@example.com", "birdsong2024"),  # no username
        ("ana", "not-an-email", "birdsong2024"),  # bad email
        ("ana", "ana@example.com", "short1"),  # under 10 characters
        ("ana", "ana@example.com", "birdsongsinging"),  # no digit
        ("ana", "ana@example.com", ""),  # no password
        ("maria", "other@example.com", "birdsong2024"),  # username taken
        ("ana", "maria@example.com", "birdsong2024"),  # email taken
    ],
)
def test_register_rejects_bad_input(client, auth, app, username, email, password):
    before = user_count(app, username)
    response = auth.register(username, email, password)
    assert user_count(app, username) == before
    # Rejected: not sent on to the log-in page or the front page as if it had worked.
    assert response.status_code in (200, 400, 409, 422)


def test_password_rule_is_ten_characters_with_a_digit(auth, app):
    assert auth.register("ten", "ten@example.com", "abcdefghi1").status_code < 400
    assert user_count(app, "ten") == 1
    auth.register("nine", "nine@example.com", "abcdefgh1")
    assert user_count(app, "nine") == 0


def test_login_and_logout(client, auth):
    auth.register()
    response = auth.login()
    assert response.status_code in (302, 303)
    with client:
        client.get("/")
        assert session["user_id"] is not None
        assert g.user["username"] == "ana"
        auth.logout()
        assert "user_id" not in session


@pytest.mark.parametrize(("username", "password"), [("nobody", "birdsong2024"), ("ana", "wrongpass99")])
def test_login_rejects_bad_credentials(client, auth, username, password):
    auth.register()
    auth.logout()
    with client:
        response = auth.login(username, password)
        assert response.status_code in (200, 400, 401)
        assert "user_id" not in session
