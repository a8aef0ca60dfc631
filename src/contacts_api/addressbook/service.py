"""The address-book domain: each user's cards, their queries and their writes."""

import functools
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .. import changeclock
from ..database import db, paged, paginate, utcnow
from ..http import Conflict, NotFound, Page, PageRequest
from ..http.caching import invalidate_user
from . import birthdays, filters, labels
from .models import CARD_SELECTION, Contact, ContactLabel, ContactTombstone

FIELDS = ("first_name", "last_name", "email", "phone", "birthday", "additional_data", "labels")


def list_contacts(owner_id: uuid.UUID, page: PageRequest, query: str | None = None,
                  sort: str | None = None) -> Page:
    """The owner's cards matching `query`, ordered by `sort` (see `filters`)."""
    return paginate(_listing(query, sort), page, {"owner_id": owner_id})


#: Stands for the owner in the list statements built once (`_listing`).
_OWNER = sa.bindparam("owner_id", type_=sa.Uuid)


@functools.lru_cache(maxsize=64)
def _listing(query: str | None, sort: str | None) -> sa.Select:
    """The page statement of a `query` and `sort`, built once per worker for every owner
    (see `paged`); a query that does not parse raises each time."""
    return paged(list_statement(_OWNER, query, sort, CARD_SELECTION))


def list_statement(owner: uuid.UUID | sa.BindParameter, query: str | None = None,
                   sort: str | None = None,
                   columns: Iterable[sa.ColumnElement] = (Contact.__table__,)) -> sa.Select:
    """The owner's cards matching `query` in `sort`'s order; every column unless told.

    `owner` is an id, or a parameter standing for it (`_listing`'s).
    """
    statement = sa.select(*columns).where(Contact.owner_id == owner)
    clause = filters.filter_clause(query, owner)
    if clause is not None:
        statement = statement.where(clause)
    return statement.order_by(*filters.order_by(sort))


def get_contact(owner_id: uuid.UUID, contact_id: uuid.UUID) -> Contact:
    """One of the owner's cards; anyone else's is exactly as missing as a nonexistent one."""
    contact = db.session.scalar(
        sa.select(Contact).where(Contact.id == contact_id, Contact.owner_id == owner_id)
    )
    if contact is None:
        raise NotFound("Contact not found")
    return contact


#: Built once: creating a card is a write clients repeat in bulk.
_INSERT_CARD = sa.insert(Contact.__table__)
_STAMP_CARD = (sa.update(Contact.__table__).where(Contact.id == sa.bindparam("card_id"))
               .values(created_at=sa.bindparam("stamp"), updated_at=sa.bindparam("stamp")))
_CARD_COLUMNS = tuple(column.key for column in Contact.__table__.columns)


def create_contact(owner_id: uuid.UUID, data: dict) -> Contact:
    """Add a card, stamped by the change clock, with the order of `_commit`: the row first,
    then the clock, then the card's stamp.

    The card is built as a (transient) Contact, which keeps its birthday columns in step,
    and written with two Core statements built once, on the session's connection (in its
    transaction): the session's unit of work cost a third of a creation's CPU for one new
    row, and the session's own `execute` much of the rest (measured,
    `docs/performance.md`).
    """
    now = utcnow()
    contact = Contact(id=uuid.uuid4(), owner_id=owner_id, created_at=now, updated_at=now,
                      **{name: data.get(name) for name in FIELDS})
    contact.labels = contact.labels or []
    with unique_addresses():
        connection = db.session.connection()
        connection.execute(_INSERT_CARD, {key: getattr(contact, key) for key in _CARD_COLUMNS})
        if contact.labels:
            labels.store_labels([contact])
        contact.created_at = contact.updated_at = changeclock.tick()
        connection.execute(_STAMP_CARD, {"card_id": contact.id, "stamp": contact.updated_at})
        db.session.commit()
    invalidate_user(owner_id)
    return contact


def replace_contact(owner_id: uuid.UUID, contact_id: uuid.UUID, data: dict) -> Contact:
    """PUT: every field from `data`; the schema has already made omitted ones null."""
    contact = get_contact(owner_id, contact_id)
    for name in FIELDS:
        setattr(contact, name, data.get(name))
    return _commit(owner_id, contact)


def update_contact(owner_id: uuid.UUID, contact_id: uuid.UUID, data: dict) -> Contact:
    """PATCH: only the fields present in `data`."""
    contact = get_contact(owner_id, contact_id)
    for name in FIELDS:
        if name in data:
            setattr(contact, name, data[name])
    return _commit(owner_id, contact)


def delete_contact(owner_id: uuid.UUID, contact_id: uuid.UUID) -> Contact:
    """Delete a card, leaving a tombstone for sync; returns the card as it was."""
    contact = get_contact(owner_id, contact_id)
    delete_cards([contact])
    db.session.commit()
    invalidate_user(owner_id)
    return contact


def delete_cards(cards: list[Contact], before_stamp: Callable[[], None] | None = None
                 ) -> datetime:
    """Delete `cards`, leaving the tombstones (with CardDAV names) sync reports; returns the
    change clock's stamp for the transaction.

    The rows go first, then `before_stamp` (a merge writes the surviving card there: it may
    take over a deleted card's address), then the clock, which must be the last lock.
    """
    for card in cards:
        db.session.delete(card)
    db.session.flush()
    if before_stamp is not None:
        before_stamp()
    stamp = changeclock.tick()
    db.session.add_all(ContactTombstone(id=card.id, owner_id=card.owner_id, deleted_at=stamp,
                                        dav_name=card.dav_name) for card in cards)
    return stamp


def upcoming_birthdays(owner_id: uuid.UUID, page: PageRequest, days: int,
                       tz: str | None = None, today: date | None = None) -> Page:
    """Cards whose next birthday is within `days` of today in `tz`, soonest first."""
    today = today or birthdays.today_in(tz)
    return paginate(paged(birthdays.upcoming_statement(owner_id, today, days)), page)


def _commit(owner_id: uuid.UUID, contact: Contact) -> Contact:
    """Write an existing card; a changed card is stamped by the change clock for sync.

    The row (and its unique-index entry) is written first: a concurrent write of the
    same card or address is waited for before the clock is taken, never while holding it.
    """
    changed = db.session.is_modified(contact)
    relabelled = sa.inspect(contact).attrs.labels.history.has_changes()
    with unique_addresses():
        db.session.flush()
        if relabelled:
            labels.store_labels([contact])
        if changed:
            contact.updated_at = changeclock.tick()
        db.session.commit()
    invalidate_user(owner_id)
    return contact


@contextmanager
def unique_addresses() -> Iterator[None]:
    """Answer 409 when the writes inside break the one constraint a valid card can break:
    (owner, lower(email)) is unique, and a card written meanwhile took the address."""
    try:
        yield
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("A contact with this email already exists") from exc


# --- labels ----------------------------------------------------------------------------

def list_labels(owner_id: uuid.UUID, page: PageRequest) -> Page:
    """The owner's labels, each once in its most used spelling, with its number of cards."""
    carrying = sa.select(ContactLabel.contact_id).where(ContactLabel.owner_id == owner_id)
    spellings: dict[str, Counter] = {}
    for card_labels in db.session.scalars(
        sa.select(Contact.labels).where(Contact.owner_id == owner_id, Contact.id.in_(carrying))
    ):
        for label in card_labels:
            spellings.setdefault(labels.fold(label), Counter())[label] += 1
    listed = sorted(
        ({"name": _most_used(counts), "count": counts.total()} for counts in spellings.values()),
        key=lambda item: (labels.fold(item["name"]), item["name"]),
    )
    return Page(listed[page.skip:page.skip + page.limit], len(listed))


def rename_label(owner_id: uuid.UUID, name: str, new_name: str) -> dict:
    """Rename a label on every card carrying it; a card that also has `new_name` keeps one."""
    old, new = labels.fold(name), labels.fold(new_name)

    def renamed(card_labels: list[str]) -> list[str]:
        return labels.normalize(new_name if labels.fold(label) in {old, new} else label
                                for label in card_labels)

    _relabel(owner_id, name, renamed)
    count = db.session.scalar(
        sa.select(sa.func.count()).where(ContactLabel.owner_id == owner_id,
                                         ContactLabel.folded == new))
    return {"name": new_name, "count": count}


def delete_label(owner_id: uuid.UUID, name: str) -> dict:
    """Take a label off every card carrying it; answers its name and how many cards had it."""
    folded, removed = labels.fold(name), Counter()

    def without(card_labels: list[str]) -> list[str]:
        removed.update(label for label in card_labels if labels.fold(label) == folded)
        return [label for label in card_labels if labels.fold(label) != folded]

    cards = _relabel(owner_id, name, without)
    return {"name": _most_used(removed), "count": len(cards)}


def _most_used(spellings: Counter) -> str:
    """The most frequent spelling; ties go to the one that sorts first."""
    return min(spellings, key=lambda spelling: (-spellings[spelling], spelling))


def _relabel(owner_id: uuid.UUID, name: str, change: Callable[[list[str]], list[str]]
             ) -> list[Contact]:
    """Apply `change` to the labels of every card carrying `name`, in one transaction."""
    cards = db.session.scalars(
        sa.select(Contact)
        .where(Contact.owner_id == owner_id, labels.has_label(owner_id, [labels.fold(name)]))
        .order_by(Contact.id)
        .with_for_update()
    ).all()
    if not cards:
        raise NotFound("Label not found")
    for card in cards:
        card.labels = change(card.labels)
    write_cards(owner_id, cards)
    return cards


def write_cards(owner_id: uuid.UUID, cards: list[Contact]) -> None:
    """Commit changes to existing `cards`: their label rows, then one change clock stamp."""
    db.session.flush()
    labels.store_labels(cards)
    stamp = changeclock.tick()
    for card in cards:
        card.updated_at = stamp
    db.session.commit()
    invalidate_user(owner_id)
