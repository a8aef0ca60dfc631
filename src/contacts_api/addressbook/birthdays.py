"""Upcoming birthdays: "today" in a time zone, the month-day window, and its SQL.

Each card stores `birthday_key` = month * 100 + day, indexed with its owner, so the
window `[today, today + days]` becomes a set of keys looked up in that index, never a
pass over every card. A 29 February birthday is celebrated on
28 February in non-leap years.
"""

import calendar
import uuid
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from ..http import BadRequest
from .models import CARD_SELECTION, Contact, month_day_key

LEAP_DAY_KEY = 229
ALL_KEYS = 366


def time_zone(name: str | None) -> tzinfo:
    """The IANA zone called `name` (UTC when absent); an unknown name is a 400."""
    if name is None:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise BadRequest(detail=f"Unknown time zone '{name}'") from exc


def today_in(name: str | None) -> date:
    return datetime.now(time_zone(name)).date()


def local_date_key(name: str | None) -> str:
    """Today in zone `name` as text, or "" for an unknown zone (a key part, never an error)."""
    try:
        return today_in(name).isoformat()
    except BadRequest:
        return ""


def birthday_in(year: int, birthday: date) -> date:
    """The day `birthday` is celebrated in `year` (29 February → 28 February off leap years)."""
    if birthday.month == 2 and birthday.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birthday.replace(year=year)


def next_birthday(birthday: date, today: date) -> date:
    """The first celebration of `birthday` on or after `today`."""
    this_year = birthday_in(today.year, birthday)
    return this_year if this_year >= today else birthday_in(today.year + 1, birthday)


def window_keys(today: date, days: int) -> list[int]:
    """The `birthday_key`s celebrated within `[today, today + days]`, in ascending order."""
    keys = set()
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        keys.add(month_day_key(day))
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            keys.add(LEAP_DAY_KEY)  # celebrated today this year
    return sorted(keys)


def upcoming_statement(owner_id: uuid.UUID, today: date, days: int) -> sa.Select:
    """The owner's cards celebrating within the window, ordered by next birthday."""
    key = Contact.birthday_key
    keys = window_keys(today, days)
    # An index condition either way: `= ANY(keys)`, or every card with a birthday.
    in_window = key.is_not(None) if len(keys) == ALL_KEYS else key.in_(keys)
    # Keys before today's wrap into next year.
    next_year_first = sa.case((key >= month_day_key(today), 0), else_=1)
    return (
        sa.select(*CARD_SELECTION)
        .where(Contact.owner_id == owner_id, in_window)
        .order_by(next_year_first, key, Contact.last_name, Contact.first_name, Contact.id)
    )
