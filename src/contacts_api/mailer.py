"""Outgoing mail: SMTP through Flask-Mail when `MAIL_SERVER` is set, the log otherwise.

In development the log shows the whole message, links included, so that `make run` works
without a mail server. With `MAIL_OUTBOX_DIR` set every message is also written there as
an `.eml` file, which is how a developer (or a test) reads the links the service sends.
"""

import uuid
from pathlib import Path

from flask import current_app
from flask_mail import Message

from .extensions import mail


def send_message(to: str, subject: str, body: str) -> Message:
    """Send a plain-text message to one recipient; returns the message as sent."""
    message = Message(subject=subject, recipients=[to], body=body)
    config = current_app.config
    outbox = config.get("MAIL_OUTBOX_DIR")
    if outbox:
        folder = Path(outbox)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.as_bytes())
    if config.get("MAIL_SERVER"):
        mail.send(message)
    elif config["PRODUCTION"]:
        # Bodies carry single-use links: in production they never go to the log.
        current_app.logger.warning("mail not sent (no MAIL_SERVER) to=%s subject=%r", to, subject)
    else:
        current_app.logger.info("mail (no MAIL_SERVER) to=%s subject=%r\n%s", to, subject, body)
    return message
