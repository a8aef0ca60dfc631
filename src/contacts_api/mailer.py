"""Outgoing mail: SMTP through Flask-Mail when `MAIL_SERVER` is set, the log otherwise.

In development the log shows the whole message, links included, so that `make run` works
without a mail server. With `MAIL_OUTBOX_DIR` set every message is also written there as
an `.eml` file, which is how a developer (or a test) reads the links the service sends.

Messages are delivered by one background thread per process (each worker has its own),
after the request that sends them has been answered:
- an SMTP server that is slow or down neither delays nor fails the request (the account,
  invite or reset it belongs to is saved either way; a failed delivery is logged, and the
  user can ask again);
- answer times do not tell whether an address has an account: `reset-password` and
  `request_email` mail existing accounts only, and the SMTP conversation no longer
  happens inside their answer.
The thread is not a daemon: a worker that exits delivers what it has accepted first.
"""

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask, current_app
from flask_mail import Message

from .extensions import mail

_delivery: tuple[int, ThreadPoolExecutor] | None = None  # (the process it belongs to, it)
_creating = threading.Lock()


def send_message(to: str, subject: str, body: str) -> None:
    """Queue a plain-text message to one recipient for delivery after the response."""
    message = Message(subject=subject, recipients=[to], body=body)
    _deliveries().submit(_deliver, current_app._get_current_object(), message)


def wait_for_deliveries(timeout: float = 10) -> None:
    """Return once every message queued so far has been delivered (or has failed)."""
    _deliveries().submit(lambda: None).result(timeout)


def _deliveries() -> ThreadPoolExecutor:
    """This process's delivery thread, created on first use. A process forked from one that
    had it gets its own: threads do not survive a fork."""
    global _delivery
    with _creating:
        if _delivery is None or _delivery[0] != os.getpid():
            _delivery = (os.getpid(),
                         ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail"))
        return _delivery[1]


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
