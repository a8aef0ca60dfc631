"""Reading the messages the app wrote to MAIL_OUTBOX_DIR, as a user reads their inbox."""

import email
import re
from email.message import Message
from pathlib import Path

from contacts_api.mailer import wait_for_deliveries


def messages(app, to: str | None = None) -> list[Message]:
    """Every message sent so far (oldest first), optionally only those to `to`."""
    wait_for_deliveries()
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    files = sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
    found = [email.message_from_bytes(path.read_bytes()) for path in files]
    return [m for m in found if to is None or m["To"] == to]


def texts(app) -> list[str]:
    """Every message sent so far (oldest first) as its whole text, headers included."""
    return [message.as_string() for message in messages(app)]


def body(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def link(message: Message) -> str:
    return re.search(r"https?://\S+", body(message)).group(0)


def reset_token(message: Message) -> str:
    """The token on a line of its own (itsdangerous: optional `.`, then three parts)."""
    return re.search(r"^(\.?[\w-]+\.[\w-]+\.[\w-]+)\r?$", body(message), re.MULTILINE).group(1)
