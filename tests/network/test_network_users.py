"""`POST /1/users` (sign-up) and `/1/you` (the viewer's own profile)."""

from urllib.parse import urlsplit

import pytest

from contacts_api.accounts.models import User
from contacts_api.database import db
from outbox import link, messages, texts

from .helpers import T, basic, public, shape

SIGN_UP = {"first_name": "Zed", "last_name": "Zimmer", "email": "Zed@Example.COM",
           "password": "password123"}


def account(app, email):
    with app.app_context():
        return db.session.scalar(db.select(User).where(User.email == email))


def test_sign_up_creates_an_unverified_account(app, client):
    response = client.post("/1/users", data={**SIGN_UP, "organization": "Zed & Co",
                                             "home_phone": "+44 20 7555 0002"})
    assert response.status_code == 201
    created = account(app, "Zed@example.com")
    assert shape(response.get_json()) == {
        "id": created.id.hex, "first_name": "Zed", "last_name": "Zimmer", "updated": T,
        "organization": "Zed & Co", "home_phone": "+44 20 7555 0002", "you": True}
    assert created.username == "Zed"
    assert not created.is_verified
    [message] = texts(app)
    assert "To: Zed@example.com" in message
    assert "/api/auth/confirmed_email/" in message
    # Until the address is verified, the account cannot authenticate.
    refused = client.get("/1/you", headers=basic("Zed@example.com", "password123"))
    assert refused.status_code == 401
    assert refused.get_json() == {"error": "unauthorized", "detail": "User is not verified"}


@pytest.mark.config(EMAIL_VERIFICATION_REQUIRED=False)
def test_sign_up_then_sign_in_with_basic(client):
    created = client.post("/1/users", json={**SIGN_UP, "username": "zz_top"}).get_json()
    response = client.get("/1/you", headers=basic("zz_top", "password123"))
    assert response.status_code == 200
    assert response.get_json() == created


def test_a_derived_username_that_is_taken_gets_a_suffix(app, client, make_user):
    make_user("zed", email="another@example.org")
    assert client.post("/1/users", data=SIGN_UP).status_code == 201
    username = account(app, "Zed@example.com").username
    assert username.startswith("Zed") and len(username) == 9 and username[3:].isdigit()


@pytest.mark.parametrize("missing", ["first_name", "last_name", "email", "password"])
def test_missing_required_argument(client, missing):
    data = {k: v for k, v in SIGN_UP.items() if k != missing}
    response = client.post("/1/users", data=data)
    assert response.status_code == 400
    assert response.get_json() == {"error": "missing_required_argument", "detail": missing}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"email": "not-an-email"}, {"error": "invalid_email", "detail": "not-an-email"}),
        ({"password": "short"}, {"error": "invalid_argument", "detail": "password"}),
        ({"username": "a b"}, {"error": "invalid_argument", "detail": "username"}),
        ({"first_name": ""}, {"error": "invalid_argument", "detail": "first_name"}),
        ({"last_name": " \t"}, {"error": "invalid_argument", "detail": "last_name"}),
        ({"home_pin": "x" * 65}, {"error": "invalid_argument", "detail": "home_pin"}),
        ({"nickname": "zz"}, {"error": "invalid_argument", "detail": "nickname"}),
    ],
)
def test_invalid_arguments(client, change, expected):
    response = client.post("/1/users", data={**SIGN_UP, **change})
    assert response.status_code == 400
    assert response.get_json() == expected


def test_email_registered(client, alice, add_email):
    response = client.post("/1/users", data={**SIGN_UP, "email": "ALICE@example.com"})
    assert response.status_code == 403
    assert response.get_json() == {"error": "email_registered", "detail": "ALICE@example.com"}
    add_email(alice, "second@example.com")
    response = client.post("/1/users", data={**SIGN_UP, "email": "second@example.com"})
    assert response.get_json() == {"error": "email_registered", "detail": "second@example.com"}


def test_a_taken_username_is_a_conflict(client, alice):
    response = client.post("/1/users", data={**SIGN_UP, "username": "ALICE"})
    assert response.status_code == 409
    assert response.get_json() == {"error": "conflict", "detail": "ALICE"}


class TestYou:
    def test_get(self, api, alice):
        response = api(alice).get("/1/you")
        assert response.status_code == 200
        assert shape(response.get_json()) == public(
            alice, home_email="alice.home@example.org", home_mobile="+1 (212) 555-2355",
            you=True)

    def test_basic_and_bearer(self, client, api, alice):
        assert client.get("/1/you", headers=basic("alice")).get_json() == \
            api(alice).get("/1/you").get_json()
        missing = client.get("/1/you")
        assert missing.status_code == 401
        assert 'Basic realm="contacts"' in missing.headers["WWW-Authenticate"]

    def test_update_and_clear_fields(self, api, alice):
        before = api(alice).get("/1/you").get_json()["updated"]
        response = api(alice).put("/1/you", data={
            "first_name": " Alicia ", "home_email": "", "work_email": "a@work.example",
            "title": "Queen"})
        assert response.status_code == 200
        body = response.get_json()
        assert shape(body) == {
            "id": alice.id.hex, "first_name": "Alicia", "last_name": "Liddell", "updated": T,
            "organization": "Wonderland Ltd", "title": "Queen",
            "home_mobile": "+1 (212) 555-2355", "work_email": "a@work.example", "you": True}
        assert body["updated"] > before
        assert api(alice).get("/1/you").get_json() == body

    def test_null_clears_a_field_too(self, api, alice):
        body = api(alice).put("/1/you", json={"organization": None}).get_json()
        assert "organization" not in body

    def test_an_update_that_changes_nothing_keeps_updated(self, api, alice):
        before = api(alice).get("/1/you").get_json()
        assert api(alice).put("/1/you", json={"first_name": "Alice"}).get_json() == before

    def test_password(self, client, api, alice, bearer):
        earlier_token = bearer(alice)
        response = api(alice).put("/1/you", data={"password": "a new password"})
        assert response.status_code == 200
        assert client.get("/1/you", headers=basic("alice")).status_code == 401
        revoked = client.get("/1/you", headers=earlier_token)
        assert revoked.status_code == 401
        assert revoked.get_json() == {"error": "unauthorized", "detail": "Token has been revoked"}
        assert client.get("/1/you", headers=basic("alice", "a new password")).status_code == 200
        short = client.put("/1/you", headers=basic("alice", "a new password"),
                           data={"password": "short"})
        assert short.get_json() == {"error": "invalid_argument", "detail": "password"}

    def test_add_and_remove_email(self, app, client, api, alice, bob):
        assert api(alice).put("/1/you", data={"add_email": "Alice2@Example.com"}).status_code \
            == 200
        # Until its owner confirms it, the address finds nobody.
        assert api(bob).get("/1/find?email=alice2@example.com").get_json() == []
        confirmation = messages(app, to="Alice2@example.com")[-1]
        path = urlsplit(link(confirmation)).path
        assert client.get(path).get_json() == {"message": "Email verified successfully"}
        assert client.get(path).get_json() == {"message": "Email already verified"}
        # Bob finds Alice by the address she added.
        assert [u["id"] for u in api(bob).get("/1/find?email=alice2@example.com").get_json()] \
            == [alice.id.hex]
        taken = api(bob).put("/1/you", data={"add_email": "alice2@EXAMPLE.com"})
        assert (taken.status_code, taken.get_json()) == (
            403, {"error": "email_registered", "detail": "alice2@example.com"})
        taken = api(bob).put("/1/you", data={"add_email": "alice@example.com"})
        assert taken.get_json() == {"error": "email_registered", "detail": "alice@example.com"}
        assert api(alice).put("/1/you", data={"remove_email": "alice2@example.com"}) \
            .status_code == 200
        assert api(bob).get("/1/find?email=alice2@example.com").get_json() == []
        unknown = api(alice).put("/1/you", data={"remove_email": "alice2@example.com"})
        assert (unknown.status_code, unknown.get_json()) == (
            404, {"error": "not_found", "detail": "alice2@example.com"})

    def test_invalid_email(self, api, alice):
        response = api(alice).put("/1/you", data={"add_email": "nope@"})
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid_email", "detail": "nope@"}

    def test_a_failed_update_changes_nothing(self, api, alice, bob):
        response = api(bob).put("/1/you", data={"title": "Boss", "add_email": "alice@example.com"})
        assert response.status_code == 403
        assert "title" in api(bob).get("/1/you").get_json()
        assert api(bob).get("/1/you").get_json()["title"] == "Foreman"
