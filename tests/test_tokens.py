"""Token rotation, reuse detection, logout, and revocation by password change or reset."""

import socket
from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token

import outbox
from conftest import PASSWORD
from contacts_api.extensions import redis_store

ME = "/api/users/me"
REVOKED = {"error": "unauthorized", "detail": "Token has been revoked"}


def login(client, username="alice", password=PASSWORD):
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200
    return response.get_json()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def refresh(client, token):
    return client.post("/api/auth/refresh-token", json={"refresh_token": token})


def status(client, access_token):
    return client.get(ME, headers=bearer(access_token)).status_code


class TestRefresh:
    def test_refresh_returns_a_new_pair_and_retires_the_old_refresh_token(self, client, user):
        first = login(client)
        response = refresh(client, first["refresh_token"])
        assert response.status_code == 200
        second = response.get_json()
        assert set(second) == {"access_token", "refresh_token", "token_type"}
        assert second["refresh_token"] != first["refresh_token"]
        assert status(client, second["access_token"]) == 200
        assert refresh(client, second["refresh_token"]).status_code == 200

    def test_reuse_revokes_the_whole_family(self, client, user):
        first = login(client)
        second = refresh(client, first["refresh_token"]).get_json()
        other_login = login(client)

        replay = refresh(client, first["refresh_token"])
        assert replay.status_code == 401
        assert replay.get_json() == REVOKED
        # Every token of that login is dead, the newest included ...
        assert status(client, first["access_token"]) == 401
        assert status(client, second["access_token"]) == 401
        assert refresh(client, second["refresh_token"]).status_code == 401
        # ... and another login of the same user is untouched.
        assert status(client, other_login["access_token"]) == 200
        assert refresh(client, other_login["refresh_token"]).status_code == 200

    def test_refresh_token_is_not_an_access_token(self, client, user):
        tokens = login(client)
        response = client.get(ME, headers=bearer(tokens["refresh_token"]))
        assert response.status_code == 401
        assert response.get_json() == {"error": "unauthorized",
                                       "detail": "An access token is required"}

    def test_access_token_is_not_a_refresh_token(self, client, user):
        tokens = login(client)
        response = refresh(client, tokens["access_token"])
        assert response.status_code == 401
        assert response.get_json() == {"error": "unauthorized",
                                       "detail": "A refresh token is required"}

    @pytest.mark.parametrize("token", ["garbage", "a.b.c", ""])
    def test_garbage_is_401_or_422(self, client, token):
        response = refresh(client, token)
        assert response.status_code == (422 if token == "" else 401)

    def test_token_signed_with_another_key_is_401(self, app, client, user):
        app.config["JWT_SECRET_KEY"] = "another-key-another-key-another-key!!"
        with app.app_context():
            forged = create_access_token(user.id.hex)
        app.config["JWT_SECRET_KEY"] = "test-jwt-secret-key-that-is-long-enough-for-hs256"
        response = client.get(ME, headers=bearer(forged))
        assert response.status_code == 401
        assert response.get_json()["detail"] == "Invalid or expired token"

    @pytest.mark.config(JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=-1),
                        JWT_REFRESH_TOKEN_EXPIRES=timedelta(seconds=-1))
    def test_expired_tokens_are_401(self, client, user):
        tokens = login(client)
        assert status(client, tokens["access_token"]) == 401
        assert refresh(client, tokens["refresh_token"]).status_code == 401

    @pytest.mark.config(JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=-5), JWT_DECODE_LEEWAY=60)
    def test_expiry_is_checked_on_every_use_of_a_token(self, app, client, user):
        access_token = login(client)["access_token"]
        assert status(client, access_token) == 200  # expired 5 s ago, within the leeway
        app.config["JWT_DECODE_LEEWAY"] = 0
        response = client.get(ME, headers=bearer(access_token))
        assert response.status_code == 401
        assert response.get_json()["detail"] == "Invalid or expired token"

    def test_a_token_accepted_before_a_key_change_is_refused_after_it(self, app, client, user):
        access_token = login(client)["access_token"]
        assert status(client, access_token) == 200
        app.config["JWT_SECRET_KEY"] = "another-key-another-key-another-key!!"
        response = client.get(ME, headers=bearer(access_token))
        assert response.status_code == 401
        assert response.get_json()["detail"] == "Invalid or expired token"

    def test_unverified_user_cannot_refresh(self, app, client, make_user):
        from contacts_api.accounts.models import User
        from contacts_api.database import db

        carol = make_user("carol")
        tokens = login(client, "carol")
        with app.app_context():
            db.session.get(User, carol.id).is_verified = False
            db.session.commit()
        response = refresh(client, tokens["refresh_token"])
        assert response.status_code == 401
        assert response.get_json()["detail"] == "User is not verified"


class TestLogout:
    def test_logout_revokes_the_access_and_refresh_token(self, client, user):
        tokens = login(client)
        response = client.post("/api/auth/logout", headers=bearer(tokens["access_token"]),
                               json={"refresh_token": tokens["refresh_token"]})
        assert response.status_code == 200
        assert response.get_json() == {"message": "Logged out"}
        assert client.get(ME, headers=bearer(tokens["access_token"])).get_json() == REVOKED
        assert refresh(client, tokens["refresh_token"]).status_code == 401

    def test_logout_without_a_body_ends_the_login(self, client, user):
        tokens = login(client)
        other = login(client)
        assert client.post("/api/auth/logout",
                           headers=bearer(tokens["access_token"])).status_code == 200
        assert status(client, tokens["access_token"]) == 401
        assert refresh(client, tokens["refresh_token"]).status_code == 401
        assert status(client, other["access_token"]) == 200

    def test_logout_needs_an_access_token(self, client, user):
        tokens = login(client)
        response = client.post("/api/auth/logout", headers=bearer(tokens["refresh_token"]))
        assert response.status_code == 401
        response = client.post("/api/auth/logout")
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="contacts"'

    @pytest.mark.config(JWT_REFRESH_TOKEN_EXPIRES=timedelta(seconds=-1))
    def test_an_expired_refresh_token_does_not_stop_the_logout(self, client, user):
        tokens = login(client)
        response = client.post("/api/auth/logout", headers=bearer(tokens["access_token"]),
                               json={"refresh_token": tokens["refresh_token"]})
        assert response.status_code == 200
        assert status(client, tokens["access_token"]) == 401

    def test_garbage_refresh_token_on_logout_is_401(self, client, user):
        tokens = login(client)
        response = client.post("/api/auth/logout", headers=bearer(tokens["access_token"]),
                               json={"refresh_token": "garbage"})
        assert response.status_code == 401
        assert response.get_json()["detail"] == "Invalid or expired token"

    def test_someone_elses_refresh_token_is_refused(self, client, user, make_user):
        make_user("bob")
        mine, theirs = login(client), login(client, "bob")
        response = client.post("/api/auth/logout", headers=bearer(mine["access_token"]),
                               json={"refresh_token": theirs["refresh_token"]})
        assert response.status_code == 401
        assert response.get_json()["detail"] == "Invalid refresh token"
        assert refresh(client, theirs["refresh_token"]).status_code == 200

    def test_fixture_tokens_without_a_family_can_log_out(self, client, auth_headers):
        assert client.post("/api/auth/logout", headers=auth_headers).status_code == 200
        assert client.get(ME, headers=auth_headers).status_code == 401


class TestPasswordReset:
    RESET_SENT = {"message": "If the email exists, a reset link was sent."}

    def request_token(self, app, client, address="alice@example.com"):
        response = client.post("/api/auth/reset-password", json={"email": address})
        assert response.status_code == 200
        assert response.get_json() == self.RESET_SENT
        [message] = outbox.messages(app)
        assert message["Subject"] == "Reset your password"
        return outbox.reset_token(message)

    def set_password(self, client, token, password="new password!", confirm=None):  # noqa: S107
        return client.post("/api/auth/set-password", json={
            "token": token, "password": password, "confirm_password": confirm or password})

    def test_unknown_email_gets_the_same_answer_and_no_mail(self, app, client, user):
        response = client.post("/api/auth/reset-password", data={"email": "who@example.com"})
        assert response.status_code == 200
        assert response.get_json() == self.RESET_SENT
        assert outbox.messages(app) == []

    def test_reset_sets_the_password_and_revokes_every_token(self, app, client, user):
        before = login(client)
        token = self.request_token(app, client)
        response = self.set_password(client, token)
        assert response.status_code == 200
        assert response.get_json() == {"message": "Password updated successfully"}
        assert client.get(ME, headers=bearer(before["access_token"])).get_json() == REVOKED
        assert refresh(client, before["refresh_token"]).status_code == 401
        assert client.post("/api/auth/login", json={
            "username": "alice", "password": PASSWORD}).status_code == 401
        after = login(client, password="new password!")
        assert status(client, after["access_token"]) == 200

    def test_token_issued_in_the_same_second_as_the_change_dies_too(self, app, client, user):
        """Revocation is exact (a token generation), not rounded to the second."""
        token = self.request_token(app, client)
        tokens = login(client)
        assert self.set_password(client, token).status_code == 200
        assert status(client, tokens["access_token"]) == 401

    def test_reset_token_works_once(self, app, client, user):
        token = self.request_token(app, client)
        assert self.set_password(client, token).status_code == 200
        response = self.set_password(client, token, "another password")
        assert response.status_code == 400
        assert response.get_json() == {"error": "bad_request",
                                       "detail": "Invalid, expired or already used reset token"}

    def test_reset_token_dies_when_the_password_changes_otherwise(self, app, client, user):
        first = self.request_token(app, client)
        second_response = client.post("/api/auth/reset-password",
                                      json={"email": "alice@example.com"})
        assert second_response.status_code == 200
        second = outbox.reset_token(outbox.messages(app)[-1])
        assert self.set_password(client, second).status_code == 200
        assert self.set_password(client, first).status_code == 400

    @pytest.mark.config(RESET_TOKEN_SECONDS=-1)
    def test_expired_token_is_400(self, app, client, user):
        token = self.request_token(app, client)
        assert self.set_password(client, token).status_code == 400

    def test_verification_token_is_not_a_reset_token(self, app, client):
        client.post("/api/auth/register", json={
            "username": "bob", "email": "bob@example.com", "password": "password1"})
        link = outbox.link(outbox.messages(app)[0])
        assert self.set_password(client, link.rsplit("/", 1)[1]).status_code == 400

    def test_mismatch_is_422(self, app, client, user):
        token = self.request_token(app, client)
        response = self.set_password(client, token, "new password!", "other password")
        assert response.status_code == 422
        assert response.get_json() == {
            "error": "validation_error",
            "detail": "confirm_password: Passwords do not match.",
            "errors": {"confirm_password": ["Passwords do not match."]},
        }
        assert self.set_password(client, token).status_code == 200

    @pytest.mark.parametrize(
        ("body", "fields"),
        [({}, {"token", "password", "confirm_password"}),
         ({"token": "t", "password": "short", "confirm_password": "short"}, {"password"})],
    )
    def test_invalid_body_is_422(self, client, body, fields):
        response = client.post("/api/auth/set-password", json=body)
        assert response.status_code == 422
        assert set(response.get_json()["errors"]) == fields

    def test_bad_token_is_400(self, client):
        assert self.set_password(client, "garbage").status_code == 400

    def test_reset_verifies_an_unverified_account(self, app, client, make_user):
        make_user("carol", verified=False)
        token = self.request_token(app, client, "carol@example.com")
        assert self.set_password(client, token).status_code == 200
        assert client.post("/api/auth/login", json={
            "username": "carol", "password": "new password!"}).status_code == 200


def test_revocations_hold_while_redis_is_unreachable(app, client, user, bearer):
    """Revocations live in the database: with Redis configured but down, a live token
    still works and a revoked one is still refused."""
    live, revoked = bearer(user), bearer(user)
    assert client.post("/api/auth/logout", headers=revoked).status_code == 200
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    redis_store.init_app(app)
    assert client.get(ME, headers=live).status_code == 200
    response = client.get(ME, headers=revoked)
    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthorized", "detail": "Token has been revoked"}
    assert client.get("/api/healthchecker").get_json()["cache"] == "unavailable"
