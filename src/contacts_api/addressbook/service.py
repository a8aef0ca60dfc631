"""The address-book domain: each user's cards, their queries and their writes."""

import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .. import changeclock
from ..database import db, paginate
from ..http import Conflict, NotFound, Page, PageRequest
from ..http.caching import invalidate_user
from . import birthdays, filters
from .models import Contact, ContactTombstone

FIELDS = ("first_name", "last_name", "email", "phone", "birthday", "additional_data")


def list_contacts(owner_id: uuid.UUID, page: PageRequest, query: str | None = None,
                  sort: str | None = None) -> Page:
    """The owner's cards matching `query`, ordered by `sort` (see `filters`)."""
    return paginate(list_statement(owner_id, query, sort), page)


def list_statement(owner_id: uuid.UUID, query: str | None = None,
                   sort: str | None = None) -> sa.Select:
    statement = sa.select(Contact.__table__).where(Contact.owner_id == owner_id)
    clause = filters.filter_clause(query)
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


def create_contact(owner_id: uuid.UUID, data: dict) -> Contact:
    contact = Contact(owner_id=owner_id, **{name: data.get(name) for name in FIELDS})
    db.session.add(contact)
    return _commit(owner_id, contact)


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
    db.session.delete(contact)
    db.session.flush()  # the card's row lock before the clock's (see changeclock)
    db.session.add(ContactTombstone(id=contact.id, owner_id=owner_id,
                                    deleted_at=changeclock.tick(), dav_name=contact.dav_name))
    db.session.commit()
    invalidate_user(owner_id)
    return contact


def upcoming_birthdays(owner_id: uuid.UUID, page: PageRequest, days: int,
                       tz: str | None = None, today: date | None = None) -> Page:
    """Cards whose next birthday is within `days` of today in `tz`, soonest first."""
    today = today or birthdays.today_in(tz)
    return paginate(birthdays.upcoming_statement(owner_id, today, days), page)


def _commit(owner_id: uuid.UUID, contact: Contact) -> Contact:
    """Write the card; a new or changed card is stamped by the change clock for sync.

    The row (and its unique-index entry) is written first: a concurrent write of the
    same card or address is waited for before the clock is taken, never while holding it.
    A new card's `created_at` and `updated_at` are the same instant.
    """
    new = contact in db.session.new
    changed = new or db.session.is_modified(contact)
    try:
        db.session.flush()
        if changed:
            contact.updated_at = changeclock.tick()
            if new:
                contact.created_at = contact.updated_at
        db.session.commit()
    except IntegrityError as exc:
        # The only constraint a valid card can break: (owner, lower(email)) is unique.
        db.session.rollback()
        raise Conflict("A contact with this email already exists") from exc
    invalidate_user(owner_id)
    return contact
