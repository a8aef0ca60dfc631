"""Authentication on every `/1/` route: Bearer and Basic accepted, 401 otherwise."""

import re

import pytest

from contacts_api import create_app

from .helpers import basic

PUBLIC = {("POST", "/1/users"), ("GET", "/1/legal/privacy"), ("GET", "/1/legal/terms")}
SAMPLE_ID = "fd0540d0109445e3a0601bc6e69f8f1d"


def network_routes():
    app = create_app({"TESTING": True})
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/1/"):
            path = re.sub(r"<id(\([^)]*\))?:\w+>", SAMPLE_ID, rule.rule)
            routes |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return sorted(routes)


ROUTES = network_routes()


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r not in PUBLIC])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"},
                                     basic("nobody", "wrong password")])
def test_protected_routes_refuse_missing_or_bad_credentials(client, method, path, headers):
    response = client.open(path, method=method, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="contacts", Basic realm="contacts"'


def test_every_family_is_covered():
    assert len([r for r in ROUTES if r not in PUBLIC]) == 26


@pytest.mark.parametrize(("method", "path"), sorted(PUBLIC - {("POST", "/1/users")}))
def test_legal_texts_are_public(client, method, path):
    assert client.open(path, method=method).status_code == 200


def test_basic_with_username_or_email_and_bearer(client, api, alice):
    by_username = client.get("/1/you", headers=basic("alice"))
    by_email = client.get("/1/you", headers=basic("ALICE@example.com"))
    by_token = api(alice).get("/1/you")
    assert by_username.status_code == by_email.status_code == by_token.status_code == 200
    assert by_username.get_json() == by_email.get_json() == by_token.get_json()
