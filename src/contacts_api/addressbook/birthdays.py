"""Upcoming birthdays: "today" in a time zone, the month-day window, and its SQL.

Each card stores `birthday_key` = month * 100 + day, indexed with its owner, so the
window `[today, today + days]` becomes one or two ranges of that key: an index range
scan, never a pass over every card. A 29 February birthday is celebrated on
28 February in non-leap years.
"""

import calendar
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import request

from ..http import BadRequest
from .models import Contact, month_day_key

FIRST_KEY, LAST_KEY = 101, 1231
LEAP_DAY_KEY = 229


def time_zone(name: str | None) -> ZoneInfo | type[UTC]:
    """The IANA zone called `name` (UTC when absent); an unknown name is a 400."""
    if name is None:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise BadRequest(detail=f"Unknown time zone '{name}'") from exc


def today_in(name: str | None) -> date:
    return datetime.now(time_zone(name)).date()


def cache_day() -> str:
    """Cache key material: cached answers must not outlive the day they were computed for."""
    try:
        return today_in(request.args.get("tz")).isoformat()
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


def window_key_ranges(today: date, days: int) -> list[tuple[int, int]]:
    """The inclusive `birthday_key` ranges celebrated within `[today, today + days]`.

    `days` is at most 366, so the window crosses at most one new year.
    """
    end = today + timedelta(days=days)
    start_key, end_key = month_day_key(today), month_day_key(end)
    if end.year == today.year:
        ranges = [(start_key, end_key)]
    elif end_key >= start_key:
        return [(FIRST_KEY, LAST_KEY)]  # the window holds a whole year
    else:
        ranges = [(start_key, LAST_KEY), (FIRST_KEY, end_key)]
    if (end.month, end.day) == (2, 28) and not calendar.isleap(end.year):
        # The window ends on the day 29 February birthdays are celebrated this year.
        ranges.append((LEAP_DAY_KEY, LEAP_DAY_KEY))
    return ranges


def upcoming_statement(owner_id: uuid.UUID, today: date, days: int) -> sa.Select:
    """The owner's cards celebrating within the window, ordered by next birthday."""
    key = Contact.birthday_key
    in_window = sa.or_(*(key.between(low, high) for low, high in window_key_ranges(today, days)))
    # Keys before today's wrap into next year.
    next_year_first = sa.case((key >= month_day_key(today), 0), else_=1)
    return (
        sa.select(Contact)
        .where(Contact.owner_id == owner_id, in_window)
        .order_by(next_year_first, key, Contact.last_name, Contact.first_name, Contact.id)
    )
