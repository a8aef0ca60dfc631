"""The CardDAV domain: the caller's cards by resource name, their ETags, and writes
through the vCard mapping of API.md §5 (sync tokens: `sync.py`)."""

import hashlib
import re
import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import ETags

from .. import changeclock
from ..addressbook import service as addressbook
from ..addressbook import vcard
from ..addressbook.labels import store_labels
from ..addressbook.models import Contact
from ..database import db
from ..http.caching import invalidate_user
from .errors import DavError

SUFFIX = ".vcf"
#: The name of a card made elsewhere: its id as `uuid.hex` writes it (lower case).
ID_NAME = re.compile(rf"([0-9a-f]{{32}}){re.escape(SUFFIX)}")
MAX_NAME_LENGTH = 255
VALID_ADDRESS_DATA = "{urn:ietf:params:xml:ns:carddav}valid-address-data"
SUPPORTED_ADDRESS_DATA = "{urn:ietf:params:xml:ns:carddav}supported-address-data"
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
    """The card id in a `<id>.vcf` name, if it is one: exactly the name `resource_name`
    gives, so that another spelling of the id (upper case) is another resource."""
    match = ID_NAME.fullmatch(name)
    return uuid.UUID(hex=match[1]) if match else None


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


def card_text(data: bytes, charset: str) -> str:
    """A PUT body as text, without the BOM some clients write (the import accepts it too);
    400 `valid-address-data` when it is not text in `charset`, or holds a NUL character,
    which PostgreSQL cannot store."""
    try:
        text = data.decode(charset)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DavError(400, "A card must be UTF-8 text", VALID_ADDRESS_DATA) from exc
    if "\x00" in text:
        raise DavError(400, "A card must not hold NUL characters", VALID_ADDRESS_DATA)
    return text.removeprefix("\ufeff")


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
