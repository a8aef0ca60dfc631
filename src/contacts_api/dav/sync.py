"""The book's sync tokens and what changed since one (RFC 6578), on the change clock.

A token is the latest stamp of the owner's book (cards' `updated_at`, tombstones'
`deleted_at`) as of a watermark `W` (see `changeclock` and `network/sync.py`), and a
sync from token `T` reports the changes stamped in `(T, W]`. Every change stamped at or
before `W` has committed when it is read, and every later one is stamped after `W`, so
nothing committed while a REPORT runs is lost; a book nobody changed keeps its token,
so a client's next sync is empty. Tokens are signed, so that another user's token or a
made-up one is refused.
"""

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from .. import changeclock
from ..addressbook.models import Contact, ContactTombstone
from ..database import db
from .errors import DavError
from .service import LISTED, resource_name

VALID_SYNC_TOKEN = "{DAV:}valid-sync-token"  # noqa: S105 - a condition, not a secret
TOKEN_PREFIX = "urn:x-contacts-api:sync:"  # noqa: S105 - not a secret


def _latest(owner_id: uuid.UUID, watermark: datetime) -> int:
    """The latest stamp of the owner's book at or before `watermark` (index-backed)."""
    stamps = [
        db.session.scalar(sa.select(sa.func.max(Contact.updated_at)).where(
            Contact.owner_id == owner_id, Contact.updated_at <= watermark)),
        db.session.scalar(sa.select(sa.func.max(ContactTombstone.deleted_at)).where(
            ContactTombstone.owner_id == owner_id, ContactTombstone.deleted_at <= watermark)),
    ]
    return max((changeclock.to_microseconds(s) for s in stamps if s is not None), default=0)


def _signature(owner_id: uuid.UUID, stamp: int | str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{owner_id.hex}:{stamp}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def make_token(owner_id: uuid.UUID, stamp: int) -> str:
    return f"{TOKEN_PREFIX}{owner_id.hex}:{stamp}:{_signature(owner_id, stamp)}"


def read_token(owner_id: uuid.UUID, token: str) -> int:
    """The stamp of a token this server gave this owner; 403 `valid-sync-token` otherwise.

    The signature is checked over the stamp's text as sent, so only a stamp this server wrote
    ever reaches `int`, and compared as bytes: `compare_digest` refuses non-ASCII text."""
    owner, _, rest = token.removeprefix(TOKEN_PREFIX).partition(":")
    stamp, _, signature = rest.partition(":")
    if (token.startswith(TOKEN_PREFIX) and owner == owner_id.hex
            and hmac.compare_digest(signature.encode(), _signature(owner_id, stamp).encode())):
        return int(stamp)
    raise DavError(403, "Unknown sync token", VALID_SYNC_TOKEN)


def book_token(owner_id: uuid.UUID) -> str:
    """The book's current sync token (also its `getctag`)."""
    return make_token(owner_id, _latest(owner_id, changeclock.watermark()))


@dataclass
class Changes:
    token: str
    cards: list = field(default_factory=list)  # rows of `LISTED`, or full rows
    deleted: list[str] = field(default_factory=list)  # resource names
    truncated: bool = False  # more changes follow: the client asks again with `token`


def _cut(events: list[tuple], limit: int) -> int:
    """How many of the stamp-ordered `events` fit in `limit` without splitting a stamp: the
    next token falls between two stamps (one transaction may stamp several cards)."""
    cut = limit
    while 0 < cut < len(events) and events[cut][0] == events[cut - 1][0]:
        cut -= 1
    if cut == 0:  # one transaction's changes alone exceed the limit: send them whole
        cut = next((i for i, e in enumerate(events) if e[0] != events[0][0]), len(events))
    return cut


def changes_since(owner_id: uuid.UUID, token: str, full: bool = False,
                  limit: int | None = None) -> Changes:
    """The cards changed and the names deleted after `token` (every card when it is empty),
    oldest change first, at most about `limit` of them."""
    since = read_token(owner_id, token) if token else None
    watermark = changeclock.watermark()
    window = [Contact.updated_at <= watermark]
    if since is not None:
        window.append(Contact.updated_at > changeclock.from_microseconds(since))
    columns = [Contact.__table__] if full else LISTED
    cards = db.session.execute(sa.select(*columns).where(
        Contact.owner_id == owner_id, *window).order_by(Contact.updated_at, Contact.id)).all()
    gone = [] if since is None else db.session.execute(
        sa.select(ContactTombstone.id, ContactTombstone.dav_name, ContactTombstone.deleted_at)
        .where(ContactTombstone.owner_id == owner_id,
               ContactTombstone.deleted_at > changeclock.from_microseconds(since),
               ContactTombstone.deleted_at <= watermark)).all()
    events = sorted([(card.updated_at, False, card) for card in cards]
                    + [(tombstone.deleted_at, True, tombstone) for tombstone in gone],
                    key=lambda event: event[:2])
    truncated = limit is not None and len(events) > limit
    if truncated:
        events = events[:_cut(events, limit)]
        stamp = changeclock.to_microseconds(events[-1][0])
    else:
        stamp = max(_latest(owner_id, watermark), since or 0)
    present = [item for _, deleted, item in events if not deleted]
    names = {resource_name(item) for item in present}
    deleted = dict.fromkeys(resource_name(item) for _, was_deleted, item in events
                            if was_deleted and resource_name(item) not in names)
    return Changes(make_token(owner_id, stamp), present, list(deleted), truncated)
