"""Writing posts: the first thing a new account is for."""

import pytest
from blog.db import get_db


def test_create_needs_an_account(client):
    response = client.get("/create")
    assert response.status_code in (302, 303)
    assert "/auth/login" in response.headers["Location"]
    client.post("/create", data={"title": "sneaky", "body": "x"})
    assert b"sneaky" not in client.get("/").data


def test_first_post_appears_on_the_index(client, auth, app):
    auth.register()
    auth.login()
    assert client.get("/create").status_code == 200
    response = client.post("/create", data={"title": "First swallows", "body": "Two over the river today."})
    assert response.status_code in (302, 303)
    page = client.get("/").data
    assert b"First swallows" in page and b"Two over the river today." in page
    with app.app_context():
        row = (
            get_db()
            .execute(
                "SELECT username FROM post JOIN user ON user.id = post.author_id WHERE title = 'First swallows'"
            )
            .fetchone()
        )
    assert row["username"] == "ana"


def test_post_has_its_own_page(client, auth, app):
    auth.register()
    auth.login()
    client.post("/create", data={"title": "Frost", "body": "Late frost on the allotments."})
    with app.app_context():
        post_id = get_db().execute("SELECT id FROM post WHERE title = 'Frost'").fetchone()["id"]
    page = client.get(f"/{post_id}")
    assert page.status_code == 200 and b"Late frost on the allotments." in page.data
    assert client.get("/99999").status_code == 404


@pytest.mark.parametrize(("title", "body"), [("", "no title"), ("no body", "")])
def test_create_rejects_empty_fields(client, auth, app, title, body):
    auth.register()
    auth.login()
    response = client.post("/create", data={"title": title, "body": body})
    assert response.status_code in (200, 400, 422)
    with app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM post WHERE author_id != 1").fetchone()[0] == 0
