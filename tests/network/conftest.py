"""Fixtures for the `/1/` network: three people and helpers to link them over HTTP."""

from urllib.parse import urlsplit

import pytest

from outbox import link, messages


@pytest.fixture
def alice(make_user):
    return make_user("alice", first_name="Alice", last_name="Liddell",
                     organization="Wonderland Ltd", home_email="alice.home@example.org",
                     home_mobile="+1 (212) 555-2355")


@pytest.fixture
def bob(make_user):
    return make_user("bob", first_name="Bob", last_name="Builder", title="Foreman")


@pytest.fixture
def carol(make_user):
    return make_user("carol", first_name="Carol", last_name="Zunut")


@pytest.fixture
def api(client, bearer):
    """`api(user).post(path, ...)`: requests with that user's Bearer token."""

    class As:
        def __init__(self, user):
            self.headers = bearer(user)

        def __getattr__(self, method):
            call = getattr(client, method)

            def request(path, **kwargs):
                return call(path, headers={**self.headers, **kwargs.pop("headers", {})},
                            **kwargs)

            return request

    return As


@pytest.fixture
def connect(api):
    """`connect(a, b)`: a requests b and b accepts; they are contacts."""

    def link(a, b):
        assert api(a).post("/1/requests", data={"id": b.id.hex}).status_code == 200
        assert api(b).post("/1/contacts", data={"id": a.id.hex}).status_code == 200

    return link



@pytest.fixture
def add_email(app, client, api):
    """`add_email(user, address)`: `PUT /1/you add_email=` and open the confirmation link."""

    def claim(user, address):
        assert api(user).put("/1/you", data={"add_email": address}).status_code == 200
        confirmation = messages(app, to=address)[-1]
        response = client.get(urlsplit(link(confirmation)).path)
        assert response.status_code == 200, response.get_json()

    return claim
