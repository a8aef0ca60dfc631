"""Real SMTP delivery: the verification and reset emails reach a local SMTP server."""

import logging

import pytest
from aiosmtpd.controller import Controller

from conftest import base_config, free_port
from contacts_api import create_app
from contacts_api.mailer import wait_for_deliveries


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def sending_app(tmp_path, port: int):
    """An app sending through SMTP on `port`; Flask-Mail suppresses sending under TESTING
    unless told otherwise."""
    return create_app({
        **base_config(tmp_path),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_DEFAULT_SENDER": "contacts@example.org",
    })


@pytest.fixture
def app(migrated, tmp_path, smtp, app):
    """An app sending through the local SMTP server. (It requests the usual `app` for its
    cleanup.)"""
    controller, _ = smtp
    return sending_app(tmp_path, controller.port)


def test_verification_and_reset_emails_are_delivered(app, client, smtp):
    _, inbox = smtp
    response = client.post("/api/auth/register", json={
        "username": "bob", "email": "bob@example.com", "password": "password1"})
    assert response.status_code == 201
    response = client.post("/api/auth/reset-password", json={"email": "bob@example.com"})
    assert response.status_code == 200
    wait_for_deliveries()

    assert [e.rcpt_tos for e in inbox.envelopes] == [["bob@example.com"], ["bob@example.com"]]
    assert [e.mail_from for e in inbox.envelopes] == ["contacts@example.org"] * 2
    verification, reset = (e.content.decode() for e in inbox.envelopes)
    assert "Subject: Confirm your email address" in verification
    assert "http://localhost/api/auth/confirmed_email/" in verification
    assert "Subject: Reset your password" in reset


def test_an_smtp_server_that_is_down_fails_no_request(migrated, tmp_path, app, caplog):
    """The account is created and the answer is the usual one; the failure is logged."""
    down = sending_app(tmp_path, free_port())  # nothing listens there
    client = down.test_client()
    with caplog.at_level(logging.ERROR):
        response = client.post("/api/auth/register", json={
            "username": "bob", "email": "bob@example.com", "password": "password1"})
        assert response.status_code == 201
        assert response.get_json()["username"] == "bob"
        response = client.post("/api/auth/reset-password", json={"email": "bob@example.com"})
        assert response.status_code == 200
        wait_for_deliveries()
    failures = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 2
    assert all(m.startswith("mail delivery failed to=bob@example.com subject=")
               and "ConnectionRefusedError" in m for m in failures)
    response = client.post("/api/auth/login", json={"username": "bob", "password": "password1"})
    assert response.get_json() == {"error": "unauthorized", "detail": "User is not verified"}
