"""Attacks: other users' objects, forged tokens, timing leaks and secrets in output."""

import ast
import base64
import json
import logging
from pathlib import Path

import pytest
from flask_jwt_extended import create_access_token

import outbox
from conftest import PASSWORD, basic

SOURCE = Path(__file__).resolve().parents[2] / "src" / "contacts_api"
NOT_FOUND = {"error": "not_found", "detail": "Not found"}


@pytest.fixture
def owners(make_user, bearer):
    """alice and bob, each with a card, a pending request, an invite, a block and a contact."""
    alice = make_user("alice", first_name="Alice", last_name="A")
    bob = make_user("bob", first_name="Bob", last_name="B")
    carol = make_user("carol", first_name="Carol", last_name="C")
    dave = make_user("dave", first_name="Dave", last_name="D")
    return alice, bob, carol, dave


def prepare_bobs_objects(client, bearer, bob, carol, dave):
    b, c = bearer(bob), bearer(carol)
    card = client.post("/api/contacts/", headers=b,
                       json={"first_name": "X", "last_name": "Y", "email": "x@example.com"})
    assert card.status_code == 201
    invite = client.post("/1/invites", headers=b, data={"email": "friend@example.com"})
    assert invite.status_code == 201
    assert client.post("/1/requests", headers=b, data={"id": carol.id.hex}).status_code == 200
    assert client.post("/1/requests", headers=bearer(dave), data={"id": bob.id.hex}
                       ).status_code == 200
    assert client.post("/1/blocks", headers=c, data={"id": dave.id.hex}).status_code == 200
    return card.get_json()["id"], invite.get_json()["id"]


class TestOtherUsersObjects:
    def test_another_users_card_is_404_for_every_method(self, client, owners, bearer):
        alice, bob, carol, dave = owners
        card_id, _ = prepare_bobs_objects(client, bearer, bob, carol, dave)
        a = bearer(alice)
        path = f"/api/contacts/{card_id}"
        body = {"first_name": "Mine", "last_name": "Now", "email": "mine@example.com"}
        for response in (client.get(path, headers=a), client.put(path, json=body, headers=a),
                         client.patch(path, json={"first_name": "Mine"}, headers=a),
                         client.delete(path, headers=a)):
            assert response.status_code == 404
            assert response.get_json() == {"error": "not_found", "detail": "Contact not found"}
        kept = client.get(path, headers=bearer(bob))
        assert (kept.status_code, kept.get_json()["first_name"]) == (200, "X")

    def test_another_users_network_objects_are_not_found(self, client, owners, bearer):
        alice, bob, carol, dave = owners
        _, invite_id = prepare_bobs_objects(client, bearer, bob, carol, dave)
        # bob's invite, bob's sent and received requests, carol's block: none are alice's.
        attempts = [
            ("delete", f"/1/invites/{invite_id}", invite_id),
            ("delete", f"/1/requests/sent/{carol.id.hex}", carol.id.hex),
            ("delete", f"/1/requests/received/{dave.id.hex}", dave.id.hex),
            ("delete", f"/1/blocks/{dave.id.hex}", dave.id.hex),
            ("get", f"/1/contacts/{bob.id.hex}", bob.id.hex),
            ("delete", f"/1/contacts/{bob.id.hex}", bob.id.hex),
        ]
        for headers in (bearer(alice), basic("alice")):
            for method, path, detail in attempts:
                response = getattr(client, method)(path, headers=headers)
                assert response.status_code == 404, (method, path, response.get_json())
                assert response.get_json() == {"error": "not_found", "detail": detail}
        # Everything of theirs is still there.
        assert [i["id"] for i in client.get("/1/invites", headers=bearer(bob)).get_json()] == [
            invite_id]
        assert len(client.get("/1/requests/sent", headers=bearer(bob)).get_json()) == 1
        assert len(client.get("/1/requests/received", headers=bearer(bob)).get_json()) == 1
        assert len(client.get("/1/blocks", headers=bearer(carol)).get_json()) == 1

    def test_role_change_is_for_admins_only(self, client, owners, bearer):
        alice, bob, *_ = owners
        response = client.patch(f"/api/users/{bob.id.hex}/role", json={"role": "admin"},
                                headers=bearer(alice))
        assert response.status_code == 403
        assert client.get("/api/users", headers=bearer(alice)).status_code == 403


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class TestForgedTokens:
    def unsigned(self, app, user, alg):
        with app.app_context():
            real = create_access_token(user.id.hex)
        _, payload, _ = real.split(".")
        return f"{b64({'alg': alg, 'typ': 'JWT'})}.{payload}."

    @pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
    @pytest.mark.parametrize("path", ["/api/users/me", "/1/you"])
    def test_alg_none_is_401(self, app, client, user, alg, path):
        response = client.get(path, headers={"Authorization":
                                             f"Bearer {self.unsigned(app, user, alg)}"})
        assert response.status_code == 401
        assert response.get_json() == {"error": "unauthorized",
                                       "detail": "Invalid or expired token"}

    def test_payload_swapped_under_a_valid_signature_is_401(self, app, client, user,
                                                           make_user, bearer):
        mallory = make_user("mallory")
        header, _, signature = bearer(mallory)["Authorization"][7:].split(".")
        with app.app_context():
            _, alices_payload, _ = create_access_token(user.id.hex).split(".")
        forged = f"{header}.{alices_payload}.{signature}"
        assert client.get("/1/you", headers={"Authorization": f"Bearer {forged}"}
                          ).status_code == 401

    def test_refresh_token_is_not_an_access_token_on_network(self, client, user, bearer):
        response = client.get("/1/you", headers=bearer(user, refresh=True))
        assert response.status_code == 401

    def test_revoked_token_is_401_on_both_surfaces(self, client, user, bearer):
        headers = bearer(user)
        assert client.post("/api/auth/logout", headers=headers).status_code == 200
        for path in ("/api/users/me", "/1/you", "/api/contacts/"):
            response = client.get(path, headers=headers)
            assert response.status_code == 401
            assert response.get_json() == {"error": "unauthorized",
                                           "detail": "Token has been revoked"}


SECRET_NAMES = ("digest", "fingerprint", "signature", "hmac", "secret", "token_hash")


def test_secrets_are_compared_in_constant_time():
    """No `==`/`!=` on anything that looks like a digest, signature or secret in the app."""
    offenders = []
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(
                    isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
                text = ast.unparse(node).lower()
                if any(name in text for name in SECRET_NAMES):
                    offenders.append(f"{path.relative_to(SOURCE)}:{node.lineno}: {text}")
    assert offenders == []


class TestBruteForce:
    ATTEMPTS = [
        ("/api/auth/login", {"username": "alice", "password": "wrong password"}),
        ("/api/auth/register", {"username": "x", "email": "bad", "password": "short"}),
        ("/api/auth/reset-password", {"email": "alice@example.com"}),
        ("/api/auth/set-password", {"token": "guess", "password": PASSWORD,
                                    "confirm_password": PASSWORD}),
        ("/1/users", {"email": "bad"}),
    ]

    @pytest.mark.config(RATELIMIT_UNAUTHENTICATED="5 per minute")
    @pytest.mark.parametrize(("path", "body"), ATTEMPTS)
    def test_rotating_forwarded_for_does_not_buy_more_tries(self, client, user, path, body):
        statuses = [
            client.post(path, json=body,
                        headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
            for n in range(5)
        ]
        assert 429 not in statuses
        # Even the right password is refused once the budget is spent.
        for n in range(5, 8):
            response = client.post("/api/auth/login",
                                   json={"username": "alice", "password": PASSWORD},
                                   headers={"X-Forwarded-For": f"198.51.100.{n}"})
            assert response.status_code == 429
            assert response.get_json()["error"] == "rate_limited"

    @pytest.mark.config(RATELIMIT_UNAUTHENTICATED="5 per minute")
    def test_basic_password_guessing_on_network(self, client, user):
        guesses = [client.get("/1/you", headers={**basic("alice", f"guess{n}"),
                                                 "X-Forwarded-For": f"198.51.100.{n}"})
                   for n in range(6)]
        assert [r.status_code for r in guesses] == [401] * 5 + [429]
        assert client.get("/1/you", headers=basic("alice")).status_code == 200


@pytest.mark.config(PRODUCTION=True)
def test_no_password_or_token_in_responses_or_logs(app, client, caplog):
    """A whole account's life; the password and every full token stay out of the output."""
    secrets, bodies = [PASSWORD, "n3w password!"], []
    caplog.set_level(logging.DEBUG)

    def call(method, path, **kwargs):
        response = getattr(client, method)(path, **kwargs)
        bodies.append(response.get_data(as_text=True) + str(response.headers))
        return response

    call("post", "/api/auth/register", json={"username": "alice", "email": "alice@example.com",
                                             "password": PASSWORD})
    call("post", "/api/auth/register", json={"username": "alice", "email": "alice@example.com",
                                             "password": PASSWORD})
    call("post", "/api/auth/login", json={"username": "alice", "password": PASSWORD})
    [verification] = outbox.messages(app, "alice@example.com")
    verify_link = outbox.link(verification)
    secrets.append(verify_link.rsplit("/", 1)[1])
    call("get", verify_link.split("localhost", 1)[1])
    pair = call("post", "/api/auth/login", json={"username": "alice", "password": PASSWORD}
                ).get_json()
    secrets += [pair["access_token"], pair["refresh_token"]]
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    call("post", "/api/auth/login", json={"username": "alice", "password": "wrong " + PASSWORD})
    call("get", "/1/you", headers=basic("alice"))
    call("get", "/1/you", headers=basic("alice", "wrong " + PASSWORD))
    call("put", "/1/you", headers=headers, json={"password": "x"})
    renewed = call("post", "/api/auth/refresh-token", json={"refresh_token": pair["refresh_token"]}
                   ).get_json()
    secrets += [renewed["access_token"], renewed["refresh_token"]]
    call("post", "/api/auth/refresh-token", json={"refresh_token": pair["refresh_token"]})
    call("post", "/api/auth/reset-password", json={"email": "alice@example.com"})
    reset = outbox.reset_token(outbox.messages(app, "alice@example.com")[-1])
    secrets.append(reset)
    call("post", "/api/auth/set-password", json={"token": reset, "password": "n3w password!",
                                                 "confirm_password": "n3w password!"})
    call("post", "/api/auth/set-password", json={"token": reset, "password": "n3w password!",
                                                 "confirm_password": "n3w password!"})
    call("post", "/api/auth/logout", headers=headers)
    output = "\n".join(bodies) + "\n".join(r.getMessage() for r in caplog.records)
    # Each token was really handed out where it should be (so this test can fail) ...
    assert renewed["access_token"] in bodies[-6]
    for secret in secrets:
        # ... but never echoed in an error or a log line, whole or as its signature.
        assert output.count(secret) == (1 if secret in (pair["access_token"],
                                                        pair["refresh_token"],
                                                        renewed["access_token"],
                                                        renewed["refresh_token"]) else 0), secret
        if secret.count(".") == 2:
            assert output.count(secret.rsplit(".", 1)[1]) <= 1
