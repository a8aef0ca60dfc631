"""Outgoing mail: SMTP through Flask-Mail when `MAIL_SERVER` is set, the log otherwise.

In development the log shows the whole message, links included, so that `make run` works
without a mail server. With `MAIL_OUTBOX_DIR` set every message is also written there as
an `.eml` file, which is how a developer (or a test) reads the links the service sends.

Messages are delivered by one background thread per process, after the request that
sends them has been answered:
- an SMTP server that is slow or down neither delays nor fails the request (the account,
  invite or reset it belongs to is saved either way; a failed delivery is logged, and the
  user can ask again);
- answer times do not tell whether an address has an account: `reset-password` and
  `request_email` mail existing accounts only, and the SMTP conversation no longer
  happens inside their answer.
The thread is not a daemon: a worker that exits delivers what it has accepted first.
"""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask, current_app
from flask_mail import Message

from .extensions import mail

_EXTENSION = "mail_delivery"
_creating = threading.Lock()


def send_message(to: str, subject: str, body: str) -> None:
    """Queue a plain-text message to one recipient for delivery after the response."""
    message = Message(subject=subject, recipients=[to], body=body)
    app = current_app._get_current_object()
    _deliveries(app).submit(_deliver, app, message)


def wait_for_deliveries(app: Flask, timeout: float = 10) -> None:
    """Return once every message queued so far has been delivered (or has failed)."""
    _deliveries(app).submit(lambda: None).result(timeout)


def _deliveries(app: Flask) -> ThreadPoolExecutor:
    """This app's delivery thread, created on first use: in the worker process, never in a
    parent it is forked from (a thread does not survive a fork)."""
    executor = app.extensions.get(_EXTENSION)
    if executor is None:
        with _creating:
            executor = app.extensions.setdefault(
                _EXTENSION, ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail"))
    return executor


def _deliver(app: Flask, message: Message) -> None:
    with app.app_context():
        to, subject = message.recipients[0], message.subject
        try:
            _write_to_outbox(message)
            if app.config.get("MAIL_SERVER"):
                mail.send(message)
            elif app.config["PRODUCTION"]:
                # Bodies carry single-use links: in production they never go to the log.
                app.logger.warning("mail not sent (no MAIL_SERVER) to=%s subject=%r", to, subject)
            else:
                app.logger.info("mail (no MAIL_SERVER) to=%s subject=%r\n%s",
                                to, subject, message.body)
        except Exception as exc:  # any failure: logged, the next message still goes out
            app.logger.error("mail delivery failed to=%s subject=%r: %s: %s",
                             to, subject, type(exc).__name__, exc)


def _write_to_outbox(message: Message) -> None:
    """Written under a temporary name and renamed: a reader never sees half a message."""
    outbox = current_app.config.get("MAIL_OUTBOX_DIR")
    if outbox:
        folder = Path(outbox)
        folder.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        partial = folder / f"{name}.partial"
        partial.write_bytes(message.as_bytes())
        partial.replace(folder / f"{name}.eml")
