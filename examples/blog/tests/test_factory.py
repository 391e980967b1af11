from blog import create_app


def test_config():
    assert not create_app().testing
    assert create_app({"TESTING": True}).testing


def test_index_lists_the_seeded_posts(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Why I keep a field notebook" in response.data


def test_pages_link_to_register_and_login(client):
    # Wherever a change puts them, both pages stay reachable from the front page.
    page = client.get("/").data
    assert b'href="/auth/register"' in page
    assert b'href="/auth/login"' in page


def test_no_external_resources(client):
    for path in ("/", "/auth/register", "/auth/login"):
        page = client.get(path).data.decode()
        assert "http://" not in page and "https://" not in page and 'src="//' not in page
