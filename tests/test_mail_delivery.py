"""Real SMTP delivery: the verification and reset emails reach a local SMTP server."""

import socket

import pytest
from aiosmtpd.controller import Controller

from conftest import base_config
from contacts_api import create_app


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def app(migrated, tmp_path, smtp, app):
    """An app sending through the local SMTP server; Flask-Mail suppresses sending under
    TESTING unless told otherwise. (It requests the usual `app` for its cleanup.)"""
    controller, _ = smtp
    return create_app({
        **base_config(tmp_path),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": controller.port,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_DEFAULT_SENDER": "contacts@example.org",
    })


def test_verification_and_reset_emails_are_delivered(client, smtp):
    _, inbox = smtp
    response = client.post("/api/auth/register", json={
        "username": "bob", "email": "bob@example.com", "password": "password1"})
    assert response.status_code == 201
    response = client.post("/api/auth/reset-password", json={"email": "bob@example.com"})
    assert response.status_code == 200

    assert [e.rcpt_tos for e in inbox.envelopes] == [["bob@example.com"], ["bob@example.com"]]
    assert [e.mail_from for e in inbox.envelopes] == ["contacts@example.org"] * 2
    verification, reset = (e.content.decode() for e in inbox.envelopes)
    assert "Subject: Confirm your email address" in verification
    assert "http://localhost/api/auth/confirmed_email/" in verification
    assert "Subject: Reset your password" in reset
