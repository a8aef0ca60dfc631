"""POST /api/auth/register and /api/auth/login, and the email verification flow."""

import threading
from urllib.parse import urlsplit

import pytest

import outbox
from conftest import PASSWORD, basic

REGISTER = {"username": "bob", "email": "Bob@Example.COM", "password": "s3cret-pass"}


def register(client, **overrides):
    return client.post("/api/auth/register", json={**REGISTER, **overrides})


def login(client, username="alice", password=PASSWORD):
    return client.post("/api/auth/login", json={"username": username, "password": password})


class TestRegister:
    def test_creates_an_unverified_user(self, client, app):
        response = register(client)
        assert response.status_code == 201
        body = response.get_json()
        assert set(body) == {"id", "username", "email", "created_at", "avatar", "is_verified",
                             "role"}
        assert len(body["id"]) == 32
        assert body["created_at"].endswith("Z")
        assert {k: body[k] for k in ("username", "email", "avatar", "is_verified", "role")} == {
            "username": "bob", "email": "Bob@example.com", "avatar": None,
            "is_verified": False, "role": "user",
        }

    def test_sends_the_verification_email(self, client, app):
        register(client)
        [message] = outbox.messages(app)
        assert message["To"] == "Bob@example.com"
        assert message["Subject"] == "Confirm your email address"
        assert outbox.link(message).startswith("http://localhost/api/auth/confirmed_email/")

    @pytest.mark.config(PUBLIC_BASE_URL="https://contacts.example.org")
    def test_links_use_the_public_base_url(self, client, app):
        register(client)
        [message] = outbox.messages(app)
        assert outbox.link(message).startswith(
            "https://contacts.example.org/api/auth/confirmed_email/")

    def test_form_body_with_names(self, client):
        response = client.post("/api/auth/register", data={**REGISTER, "first_name": "Bob"})
        assert response.status_code == 201

    @pytest.mark.parametrize("taken", [{"username": "ALICE"}, {"email": "ALICE@example.com"}])
    def test_taken_username_or_email_is_409(self, client, user, taken):
        response = register(client, **taken)
        assert response.status_code == 409
        detail = "Username already taken" if "username" in taken else "Email already registered"
        assert response.get_json() == {"error": "conflict", "detail": detail}

    def test_concurrent_registrations_end_in_one_account(self, app):
        """The unique index decides: one 201, the other 409, never a 500."""
        barrier = threading.Barrier(4)
        statuses = []

        def attempt(n):
            client = app.test_client()
            barrier.wait()
            response = client.post("/api/auth/register", json={
                **REGISTER, "username": f"racer{n}", "email": "race@example.com"})
            statuses.append(response.status_code)

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201, 409, 409, 409]

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"username": "ab"}, "username"),
            ({"username": "a" * 51}, "username"),
            ({"username": "bad name"}, "username"),
            ({"username": "bób"}, "username"),
            ({"email": "not-an-email"}, "email"),
            ({"email": "a" * 250 + "@example.com"}, "email"),
            ({"password": "short"}, "password"),
            ({"password": "x" * 129}, "password"),
            ({"first_name": "x" * 51}, "first_name"),
            ({"username": None}, "username"),
            ({"role": "admin"}, "role"),
        ],
    )
    def test_invalid_fields_are_422(self, client, overrides, field):
        response = register(client, **overrides)
        assert response.status_code == 422
        body = response.get_json()
        assert body["error"] == "validation_error"
        assert set(body["errors"]) == {field}

    def test_missing_fields_are_422(self, client):
        response = client.post("/api/auth/register", json={})
        assert response.status_code == 422
        assert response.get_json()["errors"] == {
            name: ["Missing data for required field."]
            for name in ("username", "email", "password")
        }


class TestLogin:
    def test_json_login_returns_a_token_pair(self, client, user):
        response = login(client)
        assert response.status_code == 200
        body = response.get_json()
        assert set(body) == {"access_token", "refresh_token", "token_type"}
        assert body["token_type"] == "bearer"
        me = client.get("/api/users/me",
                        headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.status_code == 200
        assert me.get_json()["id"] == user.id.hex

    def test_form_login_with_the_email(self, client, user):
        response = client.post("/api/auth/login",
                               data={"username": "ALICE@example.com", "password": PASSWORD})
        assert response.status_code == 200

    def test_basic_login(self, client, user):
        response = client.post("/api/auth/login", headers=basic("alice"))
        assert response.status_code == 200
        assert response.get_json()["token_type"] == "bearer"

    @pytest.mark.parametrize(("username", "password"),
                             [("alice", "wrong password"), ("nobody", PASSWORD)])
    def test_wrong_credentials_look_the_same(self, client, user, username, password):
        response = login(client, username, password)
        assert response.status_code == 401
        assert response.get_json() == {"error": "unauthorized",
                                       "detail": "Incorrect username or password"}
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="contacts"'

    def test_wrong_basic_credentials(self, client, user):
        response = client.post("/api/auth/login", headers=basic("alice", "nope"))
        assert response.status_code == 401
        assert response.get_json()["detail"] == "Incorrect username or password"

    def test_unverified_user_is_refused(self, client, make_user):
        make_user("carol", verified=False)
        response = login(client, "carol")
        assert response.status_code == 401
        assert response.get_json() == {"error": "unauthorized", "detail": "User is not verified"}

    def test_unverified_user_with_wrong_password_learns_nothing(self, client, make_user):
        make_user("carol", verified=False)
        response = login(client, "carol", "wrong password")
        assert response.get_json()["detail"] == "Incorrect username or password"

    @pytest.mark.config(EMAIL_VERIFICATION_REQUIRED=False)
    def test_unverified_user_may_log_in_when_verification_is_off(self, client, make_user):
        make_user("carol", verified=False)
        assert login(client, "carol").status_code == 200

    @pytest.mark.parametrize(
        ("body", "errors"),
        [
            ({}, {"username": ["Missing data for required field."],
                  "password": ["Missing data for required field."]}),
            ({"username": "alice"}, {"password": ["Missing data for required field."]}),
            ({"password": "x"}, {"username": ["Missing data for required field."]}),
            ({"username": "", "password": "x"},
             {"username": ["Length must be between 1 and 255."]}),
        ],
    )
    def test_missing_credentials_are_422(self, client, body, errors):
        response = client.post("/api/auth/login", json=body)
        assert response.status_code == 422
        assert response.get_json()["errors"] == errors

    def test_malformed_basic_header_is_401(self, client):
        response = client.post("/api/auth/login", headers={"Authorization": "Basic %%%"})
        assert response.status_code == 401
        assert response.get_json() == {"error": "unauthorized",
                                       "detail": "Malformed Basic credentials"}


class TestEmailVerification:
    def confirm_path(self, app, client):
        register(client)
        [message] = outbox.messages(app)
        return urlsplit(outbox.link(message)).path

    def test_link_from_the_email_verifies_the_account(self, app, client):
        path = self.confirm_path(app, client)
        assert login(client, "bob", REGISTER["password"]).status_code == 401
        response = client.get(path)
        assert response.status_code == 200
        assert response.get_json() == {"message": "Email verified successfully"}
        assert login(client, "bob", REGISTER["password"]).status_code == 200

    def test_second_use_says_already_verified(self, app, client):
        path = self.confirm_path(app, client)
        client.get(path)
        response = client.get(path)
        assert response.status_code == 200
        assert response.get_json() == {"message": "Email already verified"}

    @pytest.mark.parametrize("token", ["garbage", "eyJ1aWQiOiIxIn0.awUJ6g.forged"])
    def test_bad_token_is_400(self, client, token):
        response = client.get(f"/api/auth/confirmed_email/{token}")
        assert response.status_code == 400
        assert response.get_json() == {"error": "bad_request",
                                       "detail": "Invalid or expired verification token"}

    @pytest.mark.config(VERIFICATION_TOKEN_SECONDS=-1)
    def test_expired_token_is_400(self, app, client):
        path = self.confirm_path(app, client)
        assert client.get(path).status_code == 400

    def test_token_of_a_deleted_account_is_400(self, app, client):
        path = self.confirm_path(app, client)
        with app.app_context():
            from contacts_api.accounts.service import delete_account, find_by_email

            delete_account(find_by_email("bob@example.com"))
        assert client.get(path).status_code == 400


class TestRequestEmail:
    MESSAGE = {"message": "If the email belongs to an unverified account, "
                          "a verification link was sent."}

    def test_resends_to_an_unverified_account(self, app, client, make_user):
        make_user("carol", verified=False)
        response = client.post("/api/auth/request_email", json={"email": "CAROL@example.com"})
        assert response.status_code == 200
        assert response.get_json() == self.MESSAGE
        [message] = outbox.messages(app)
        assert message["To"] == "carol@example.com"
        assert client.get(urlsplit(outbox.link(message)).path).status_code == 200

    @pytest.mark.parametrize("address", ["alice@example.com", "nobody@example.com"])
    def test_same_answer_and_no_mail_otherwise(self, app, client, user, address):
        response = client.post("/api/auth/request_email", data={"email": address})
        assert response.status_code == 200
        assert response.get_json() == self.MESSAGE
        assert outbox.messages(app) == []

    def test_invalid_email_is_422(self, client):
        response = client.post("/api/auth/request_email", json={"email": "nope"})
        assert response.status_code == 422
        assert set(response.get_json()["errors"]) == {"email"}
