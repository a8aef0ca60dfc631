"""The birthday calendar (API.md §5): the owner's birthdays as iCalendar, and the secret URL
that serves them to calendar apps, which cannot send credentials.

The URL's secret is `<user id>.<random part>`: the id finds the feed, and the random part
(256 bits, stored only as its SHA-256) is compared in constant time, so no lookup by the
secret itself can leak it through timing.
"""

import hashlib
import hmac
import secrets
import uuid
from datetime import date

import sqlalchemy as sa

from ..accounts.emails import public_url
from ..database import db, utcnow
from ..http import NotFound
from ..http.fields import parse_id
from .models import CalendarFeed, Contact, MonthDay, birthday_of

PRODID = "-//contacts_api//Birthdays//EN"
#: The first year of a birthday given without one: a leap year (so 29 February exists),
#: long enough ago for every calendar app to show each year since.
YEARLESS_START = 2000
FEED_PATH = "/api/calendar/{}.ics"


def calendar(owner_id: uuid.UUID) -> bytes:
    """One yearly all-day event per card with a birthday, soonest month-day first."""
    cards = db.session.execute(
        sa.select(Contact.id, Contact.first_name, Contact.last_name, Contact.birthday,
                  Contact.birthday_key, Contact.updated_at)
        .where(Contact.owner_id == owner_id, Contact.birthday_key.is_not(None))
        .order_by(Contact.birthday_key, Contact.last_name, Contact.first_name, Contact.id)
    ).all()
    # Imported on a worker's first feed: 2.9 MiB (measured) that workers serving no feed
    # never load; a worker that serves one holds it unshared.
    import icalendar

    feed = icalendar.Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", "Birthdays")
    for card in cards:
        feed.add_component(_event(icalendar.Event(), card))
    return feed.to_ical()


def _event(event, card):
    """`event` (an empty `icalendar.Event`), filled in for `card`'s birthday."""
    birthday = birthday_of(card)
    if isinstance(birthday, MonthDay):
        birthday = date(YEARLESS_START, birthday.month, birthday.day)
    rule = {"freq": "yearly"}
    if (birthday.month, birthday.day) == (2, 29):
        # The last day of February: the 29th in leap years, the 28th in the others.
        rule.update(bymonth=2, bymonthday=-1)
    event.add("uid", f"{card.id.hex}@contacts_api")
    event.add("dtstamp", card.updated_at)
    event.add("dtstart", birthday)  # a date, not a time: an all-day event
    event.add("rrule", rule)
    event.add("summary", f"{card.first_name} {card.last_name}".strip())
    event.add("transp", "TRANSPARENT")
    return event


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_feed_url(user_id: uuid.UUID) -> dict:
    """A new secret URL for the user's feed; the previous one stops working."""
    random_part = secrets.token_urlsafe(32)
    # Imported here so that a worker on PostgreSQL never loads the SQLite dialect.
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    values = {"secret_hash": _digest(random_part), "created_at": utcnow()}
    db.session.execute(
        insert(CalendarFeed).values(user_id=user_id, **values)
        .on_conflict_do_update(index_elements=["user_id"], set_=values)
    )
    db.session.commit()
    return {"url": public_url(FEED_PATH.format(f"{user_id.hex}.{random_part}"))}


def delete_feed_url(user_id: uuid.UUID) -> None:
    """Revoke the user's secret URL, if there is one."""
    db.session.execute(sa.delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
    db.session.commit()


def feed_owner(secret: str) -> uuid.UUID:
    """The user whose feed `secret` opens; an unknown or revoked secret is a 404."""
    user_part, _, random_part = secret.partition(".")
    user_id = parse_id(user_part)
    stored = db.session.get(CalendarFeed, user_id) if user_id and random_part else None
    if stored is None or not hmac.compare_digest(stored.secret_hash, _digest(random_part)):
        raise NotFound("Calendar feed not found")
    return user_id
