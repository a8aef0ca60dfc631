"""The CardDAV domain: the caller's cards by resource name, their ETags, the book's sync
tokens, and writes through the vCard mapping of API.md §5.

Sync tokens come from the change clock (see `changeclock` and `network/sync.py`): a
token is the latest stamp of the owner's book (cards' `updated_at`, tombstones'
`deleted_at`) as of a watermark `W`, and a sync from token `T` reports the changes
stamped in `(T, W]`. Every change stamped at or before `W` has committed when it is
read, and every later one is stamped after `W`, so nothing committed while a REPORT
runs is lost; a book nobody changed keeps its token, so a client's next sync is empty.
"""

import hashlib
import hmac
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import ETags

from .. import changeclock
from ..addressbook import service as addressbook
from ..addressbook import vcard
from ..addressbook.labels import store_labels
from ..addressbook.models import Contact, ContactTombstone
from ..database import db
from ..http.caching import invalidate_user
from .errors import DavError

SUFFIX = ".vcf"
MAX_NAME_LENGTH = 255
VALID_SYNC_TOKEN = "{DAV:}valid-sync-token"  # noqa: S105 - a condition, not a secret
VALID_ADDRESS_DATA = "{urn:ietf:params:xml:ns:carddav}valid-address-data"
SUPPORTED_ADDRESS_DATA = "{urn:ietf:params:xml:ns:carddav}supported-address-data"
TOKEN_PREFIX = "urn:x-contacts-api:sync:"  # noqa: S105 - not a secret
#: What PROPFIND and sync-collection list of a card: enough for its href and ETag.
LISTED = (Contact.id, Contact.dav_name, Contact.updated_at)
#: The columns the mapping writes; labels also get their index rows (`store_labels`).
MAPPED = ("first_name", "last_name", "email", "phone", "birthday", "additional_data",
          "labels", "uid")


def resource_name(card) -> str:
    """A card's name in the collection: the client's choice, else `<id>.vcf`."""
    return card.dav_name or f"{card.id.hex}{SUFFIX}"


def etag(card) -> str:
    """Changes with every write of the card: the change clock stamps each one."""
    stamp = changeclock.to_microseconds(card.updated_at).to_bytes(8, "big", signed=True)
    return hashlib.blake2b(card.id.bytes + stamp, digest_size=12).hexdigest()


def _card_id(name: str) -> uuid.UUID | None:
    """The card id in a `<id>.vcf` name, if it is one."""
    stem = name.removesuffix(SUFFIX)
    if not name.endswith(SUFFIX) or len(stem) != 32:
        return None
    try:
        return uuid.UUID(hex=stem)
    except ValueError:
        return None


def _named(names: Iterable[str]) -> sa.ColumnElement[bool]:
    """The cards called `names`: by client-chosen name, or `<id>.vcf` for those without.

    Two IN lists, so that a multiget of thousands of names stays one short statement."""
    names = list(names)
    ids = [card_id for card_id in map(_card_id, names) if card_id is not None]
    clause = Contact.dav_name.in_(names)
    if ids:
        clause = sa.or_(clause, sa.and_(Contact.dav_name.is_(None), Contact.id.in_(ids)))
    return clause


def find_card(owner_id: uuid.UUID, name: str, lock: bool = False) -> Contact | None:
    statement = sa.select(Contact).where(Contact.owner_id == owner_id, _named([name]))
    if lock:
        statement = statement.with_for_update()
    return db.session.scalars(statement).first()


def listed_cards(owner_id: uuid.UUID, *conditions, limit: int | None = None) -> list[sa.Row]:
    """Cards' names and ETag material, from columns alone (no vCard is rendered)."""
    return db.session.execute(
        sa.select(*LISTED).where(Contact.owner_id == owner_id, *conditions)
        .order_by(Contact.id).limit(limit)).all()


def full_cards(owner_id: uuid.UUID, *conditions, limit: int | None = None) -> list[sa.Row]:
    """Cards as rows of every column, for rendering their vCards."""
    return db.session.execute(
        sa.select(Contact.__table__).where(Contact.owner_id == owner_id, *conditions)
        .order_by(Contact.id).limit(limit)).all()


def cards_named(owner_id: uuid.UUID, names: Iterable[str], full: bool = False) -> dict:
    """The named cards that exist, by name."""
    names = set(names)
    if not names:
        return {}
    conditions = _named(names)
    rows = full_cards(owner_id, conditions) if full else db.session.execute(
        sa.select(*LISTED).where(Contact.owner_id == owner_id, conditions)).all()
    return {resource_name(row): row for row in rows if resource_name(row) in names}


# --- sync tokens ---------------------------------------------------------------------------

def _latest(owner_id: uuid.UUID, watermark: datetime) -> int:
    """The latest stamp of the owner's book at or before `watermark` (index-backed)."""
    stamps = [
        db.session.scalar(sa.select(sa.func.max(Contact.updated_at)).where(
            Contact.owner_id == owner_id, Contact.updated_at <= watermark)),
        db.session.scalar(sa.select(sa.func.max(ContactTombstone.deleted_at)).where(
            ContactTombstone.owner_id == owner_id, ContactTombstone.deleted_at <= watermark)),
    ]
    return max((changeclock.to_microseconds(s) for s in stamps if s is not None), default=0)


def _signature(owner_id: uuid.UUID, stamp: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{owner_id.hex}:{stamp}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def make_token(owner_id: uuid.UUID, stamp: int) -> str:
    return f"{TOKEN_PREFIX}{owner_id.hex}:{stamp}:{_signature(owner_id, stamp)}"


def read_token(owner_id: uuid.UUID, token: str) -> int:
    """The stamp of a token this server gave this owner; 403 `valid-sync-token` otherwise."""
    owner, _, rest = token.removeprefix(TOKEN_PREFIX).partition(":")
    stamp, _, signature = rest.partition(":")
    if (token.startswith(TOKEN_PREFIX) and owner == owner_id.hex and stamp.isdigit()
            and hmac.compare_digest(signature, _signature(owner_id, int(stamp)))):
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


# --- writes --------------------------------------------------------------------------------

def check_preconditions(card, if_match: ETags, if_none_match: ETags) -> None:
    """`If-Match` and `If-None-Match` of a write: 412 when the card is not as expected."""
    current = etag(card) if card is not None else None
    if if_match and (current is None or not (if_match.star_tag or current in if_match)):
        raise DavError(412, "The card has changed (If-Match)")
    if if_none_match and current is not None and (
            if_none_match.star_tag or current in if_none_match):
        raise DavError(412, "The card exists (If-None-Match)")


def check_name(name: str) -> None:
    if not name or len(name) > MAX_NAME_LENGTH or "/" in name:
        raise DavError(400, f"A card's name must be 1 to {MAX_NAME_LENGTH} characters")


def parse(text: str) -> vcard.ParsedCard:
    """One valid vCard with a name, or 400 `valid-address-data`."""
    try:
        return vcard.parse_card(text)
    except vcard.InvalidCard as exc:
        raise DavError(400, exc.detail, VALID_ADDRESS_DATA) from exc


def _email_taken(owner_id: uuid.UUID, card: Contact, email: str) -> bool:
    """Another card of the owner has this email (the card's own change is not flushed)."""
    others = [Contact.id != card.id] if card.id is not None else []
    with db.session.no_autoflush:
        return db.session.scalar(sa.select(sa.exists().where(
            Contact.owner_id == owner_id, sa.func.lower(Contact.email) == email.lower(),
            *others))) is True


def _apply(owner_id: uuid.UUID, card: Contact, parsed: vcard.ParsedCard) -> None:
    """The mapped fields, the kept vCard, and an email another card has moved aside
    (API.md §6: a PUT never fails on a duplicate email)."""
    for name in MAPPED:
        setattr(card, name, parsed.fields.get(name))
    card.vcard = parsed.vcard
    if card.email and _email_taken(owner_id, card, card.email):
        extra = dict(card.additional_data or {})
        extra["emails"] = [card.email, *extra.get("emails", [])]
        card.additional_data, card.email = extra, None


def put_card(owner_id: uuid.UUID, name: str, text: str, if_match: ETags,
             if_none_match: ETags) -> tuple[bool, str]:
    """Create or replace the card called `name`; (created, new ETag)."""
    check_name(name)
    parsed = parse(text)
    for _attempt in range(3):
        card = find_card(owner_id, name, lock=True)
        check_preconditions(card, if_match, if_none_match)
        created = card is None
        if created:
            card = Contact(owner_id=owner_id, dav_name=name)
            db.session.add(card)
        _apply(owner_id, card, parsed)
        try:
            db.session.flush()  # the card's row and index entries before the clock
        except IntegrityError:
            # A concurrent write took the name or the email: look again.
            db.session.rollback()
            continue
        store_labels([card])
        card.updated_at = changeclock.tick()
        if created:
            card.created_at = card.updated_at
        db.session.commit()
        invalidate_user(owner_id)
        return created, etag(card)
    raise DavError(409, "The card was written concurrently; try again")


def delete_card(owner_id: uuid.UUID, name: str, if_match: ETags) -> None:
    card = find_card(owner_id, name, lock=True)
    if card is None:
        raise DavError(404, "No such card")
    check_preconditions(card, if_match, ETags())
    addressbook.delete_contact(owner_id, card.id)
