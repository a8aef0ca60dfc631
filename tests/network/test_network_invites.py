"""`/1/invites`, and invites turning into requests when their address is claimed."""

import uuid

import pytest

from contacts_api.accounts.service import create_account
from outbox import texts

from .helpers import T, basic, public, shape

UNKNOWN = uuid.UUID("fd0540d0109445e3a0601bc6e69f8f1d")


def test_invite_sends_an_invitation(app, api, alice):
    response = api(alice).post("/1/invites", data={"email": "Newcomer@Example.COM"})
    assert response.status_code == 201
    body = response.get_json()
    assert shape(body) == {"id": body["id"], "email": "newcomer@example.com", "sent": T}
    [message] = texts(app)
    assert "To: newcomer@example.com" in message
    assert "Alice Liddell invited you" in message
    assert "http://localhost/1/users" in message
    assert api(alice).get("/1/invites").get_json() == [body]


def test_a_name_cannot_break_the_invitation_headers(app, api, alice):
    api(alice).put("/1/you", json={"first_name": "Eve\r\nBcc: victim@example.com"})
    assert api(alice).post("/1/invites", data={"email": "x@example.com"}).status_code == 201
    [message] = texts(app)
    assert not any(line.startswith("Bcc:") for line in message.splitlines())
    assert "Subject: Eve Bcc: victim@example.com Liddell invited you" in " ".join(
        message.split())


def test_list_is_newest_first_and_paginated(api, alice):
    for n in range(3):
        api(alice).post("/1/invites", data={"email": f"n{n}@example.com"})
    response = api(alice).get("/1/invites?limit=2")
    assert [i["email"] for i in response.get_json()] == ["n2@example.com", "n1@example.com"]
    assert response.headers["X-Total-Count"] == "3"


def test_errors(api, alice, bob, add_email):
    api(alice).post("/1/invites", data={"email": "x@example.com"})
    add_email(bob, "bob2@example.com")
    cases = [
        ("X@example.com", 403, {"error": "invite_exists", "detail": "x@example.com"}),
        ("bob@example.com", 403, {"error": "user_exists", "detail": bob.id.hex}),
        ("bob2@example.com", 403, {"error": "user_exists", "detail": bob.id.hex}),
        ("ALICE@example.com", 403, {"error": "why_me", "detail": alice.id.hex}),
        ("x@", 400, {"error": "invalid_email", "detail": "x@"}),
    ]
    for email, status, expected in cases:
        response = api(alice).post("/1/invites", data={"email": email})
        assert (response.status_code, response.get_json()) == (status, expected)
    missing = api(alice).post("/1/invites", data={})
    assert missing.get_json() == {"error": "missing_required_argument", "detail": "email"}


def test_cancel(api, alice, bob):
    invite = api(alice).post("/1/invites", data={"email": "x@example.com"}).get_json()
    # Another user's invite is not found.
    assert api(bob).delete(f"/1/invites/{invite['id']}").status_code == 404
    response = api(alice).post(f"/1/invites/{invite['id']}?method=delete")
    assert response.status_code == 200
    assert response.get_json() == invite
    assert api(alice).get("/1/invites").get_json() == []
    again = api(alice).delete(f"/1/invites/{invite['id']}")
    assert (again.status_code, again.get_json()) == (
        404, {"error": "not_found", "detail": invite["id"]})


def test_batch(app, api, alice, bob):
    emails = ["one@example.com", "bad", "ONE@example.com", "bob@example.com",
              "alice@example.com", "two@example.com"]
    response = api(alice).post("/1/invites/batch", data={"emails": emails})
    assert response.status_code == 200
    body = response.get_json()
    assert shape(body) == [
        {"id": body[0]["id"], "email": "one@example.com", "sent": T},
        {"error": "invalid_email", "detail": "bad"},
        {"error": "invite_exists", "detail": "one@example.com"},
        {"error": "user_exists", "detail": bob.id.hex},
        {"error": "why_me", "detail": alice.id.hex},
        {"id": body[5]["id"], "email": "two@example.com", "sent": T},
    ]
    assert len(texts(app)) == 2
    too_many = api(alice).post("/1/invites/batch", json={"emails": ["a@b.example"] * 1001})
    assert too_many.get_json() == {"error": "invalid_argument", "detail": "emails"}


class TestConversion:
    """Whoever claims an invited address receives a request from each inviter."""

    @pytest.fixture
    def invited(self, api, alice, bob, carol):
        for inviter in (alice, bob):
            api(inviter).post("/1/invites", data={"email": "newcomer@example.com"})
        api(carol).post("/1/invites", data={"email": "someone.else@example.com"})

    def assert_converted(self, api, alice, bob, carol, newcomer_id):
        for inviter in (alice, bob):
            assert api(inviter).get("/1/invites").get_json() == []
            assert [u["id"] for u in api(inviter).get("/1/requests/sent").get_json()] == [
                newcomer_id]
        assert len(api(carol).get("/1/invites").get_json()) == 1

    @pytest.mark.config(EMAIL_VERIFICATION_REQUIRED=False)
    def test_on_sign_up(self, client, api, alice, bob, carol, invited):
        response = client.post("/1/users", data={
            "first_name": "New", "last_name": "Comer", "email": "NewComer@example.com",
            "password": "password123"})
        newcomer_id = response.get_json()["id"]
        self.assert_converted(api, alice, bob, carol, newcomer_id)
        received = client.get("/1/requests/received",
                              headers=basic("NewComer@example.com", "password123"))
        # Converted together: the same time, so ordered by id.
        assert shape(received.get_json()) == sorted([
            public(bob, request_received=T),
            public(alice, request_received=T, home_email="alice.home@example.org",
                   home_mobile="+1 (212) 555-2355"),
        ], key=lambda user: user["id"])

    def test_on_account_creation_by_any_surface(self, app, api, alice, bob, carol, invited):
        """`/api/auth/register` creates accounts with the same `create_account`."""
        with app.test_request_context():
            user = create_account("newcomer", "newcomer@example.com", "password123")
        self.assert_converted(api, alice, bob, carol, user.id.hex)

    def test_on_add_email(self, api, alice, bob, carol, make_user, invited, add_email):
        dave = make_user("dave")
        add_email(dave, "newcomer@example.com")
        self.assert_converted(api, alice, bob, carol, dave.id.hex)
        assert len(api(dave).get("/1/requests/received").get_json()) == 2

    def test_an_unconfirmed_address_captures_nothing(self, api, alice, bob, make_user,
                                                     invited):
        mallory = make_user("mallory")
        assert api(mallory).put("/1/you", data={"add_email": "newcomer@example.com"}) \
            .status_code == 200
        assert api(mallory).get("/1/requests/received").get_json() == []
        for inviter in (alice, bob):
            assert [i["email"] for i in api(inviter).get("/1/invites").get_json()] == [
                "newcomer@example.com"]
            assert api(inviter).get("/1/find?email=newcomer@example.com").get_json() == []

    def test_linked_inviters_get_no_request(self, api, alice, bob, carol, make_user, connect,
                                           invited, add_email):
        dave = make_user("dave")
        connect(alice, dave)
        api(dave).post("/1/blocks", data={"id": bob.id.hex})
        add_email(dave, "newcomer@example.com")
        assert api(dave).get("/1/requests/received").get_json() == []
        assert api(alice).get("/1/invites").get_json() == []
        assert api(bob).get("/1/invites").get_json() == []

    def test_claiming_an_address_you_invited(self, api, alice, bob, invited, add_email):
        add_email(alice, "newcomer@example.com")
        # Alice's own invite just goes; Bob's becomes a request to her.
        assert api(alice).get("/1/invites").get_json() == []
        assert [u["id"] for u in api(alice).get("/1/requests/received").get_json()] == [
            bob.id.hex]
