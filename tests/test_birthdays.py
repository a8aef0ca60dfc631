"""`GET /api/contacts/get-upcoming-birthday`: the window arithmetic, the SQL, the endpoint."""

import calendar
import os
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from addressbook_helpers import add
from contacts_api.addressbook import birthdays, service
from contacts_api.addressbook.birthdays import next_birthday, window_keys
from contacts_api.addressbook.models import Contact, month_day_key
from contacts_api.database import db
from contacts_api.http import PageRequest

URL = "/api/contacts/get-upcoming-birthday"
EVERY_MONTH_DAY = [date(2000, m, d) for m in range(1, 13)
                   for d in range(1, calendar.monthrange(2000, m)[1] + 1)]


class TestWindow:
    @pytest.mark.parametrize(
        ("birthday", "today", "expected"),
        [
            (date(2000, 2, 29), date(2026, 2, 1), date(2026, 2, 28)),
            (date(2000, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),
            (date(2000, 2, 29), date(2026, 3, 1), date(2027, 2, 28)),
            (date(2000, 2, 29), date(2027, 3, 1), date(2028, 2, 29)),
            (date(1990, 12, 31), date(2026, 12, 31), date(2026, 12, 31)),
            (date(1990, 1, 1), date(2026, 12, 31), date(2027, 1, 1)),
            (date(1990, 6, 15), date(2026, 6, 16), date(2027, 6, 15)),
        ],
    )
    def test_next_birthday(self, birthday, today, expected):
        assert next_birthday(birthday, today) == expected

    @pytest.mark.parametrize(
        ("today", "days", "keys"),
        [
            (date(2026, 11, 28), 4, [1128, 1129, 1130, 1201, 1202]),
            (date(2026, 6, 1), 0, [601]),
            (date(2026, 12, 30), 3, [101, 102, 1230, 1231]),
            (date(2026, 2, 27), 2, [227, 228, 229, 301]),
            (date(2026, 2, 28), 0, [228, 229]),
            (date(2028, 2, 27), 1, [227, 228]),
            (date(2028, 2, 28), 1, [228, 229]),
        ],
    )
    def test_window_keys(self, today, days, keys):
        assert window_keys(today, days) == keys

    @pytest.mark.parametrize("today", [date(2026, 3, 1), date(2027, 2, 28), date(2028, 1, 1)])
    def test_a_366_day_window_holds_every_key(self, today):
        assert window_keys(today, 366) == sorted({month_day_key(b) for b in EVERY_MONTH_DAY})

    @pytest.mark.parametrize("days", [0, 1, 7, 59, 364, 365, 366])
    def test_keys_agree_with_next_birthday_on_every_day(self, days):
        """Brute force over two years around a leap year, every month-day a birthday."""
        today = date(2027, 1, 1)
        while today < date(2029, 1, 1):
            keys = set(window_keys(today, days))
            end = today + timedelta(days=days)
            for birthday in EVERY_MONTH_DAY:
                in_window = month_day_key(birthday) in keys
                assert in_window == (next_birthday(birthday, today) <= end), (today, birthday)
            today += timedelta(days=3 if days > 59 else 1)


def upcoming(app, owner, today, days):
    """The domain function with a frozen "today", as first names."""
    with app.app_context():
        page = service.upcoming_birthdays(owner.id, PageRequest(0, 100), days, today=today)
        return [c.first_name for c in page.items]


class TestQueryWithFrozenToday:
    @pytest.fixture
    def cards(self, client, auth_headers):
        for name, birthday in [("Leap", "2000-02-29"), ("Feb28", "1999-02-28"),
                               ("Mar1", "1999-03-01"), ("NewYear", "1980-01-01"),
                               ("Jan4", "1980-01-04"), ("Jan5", "1980-01-05"),
                               ("Eve", "1970-12-31"), ("Xmas", "1970-12-25"),
                               ("Nobody", None), ("NoYearLeap", "--02-29"),
                               ("NoYearJan4", "--01-04")]:
            add(client, auth_headers, first_name=name, email=f"{name}@example.com",
                birthday=birthday)

    @pytest.mark.usefixtures("cards")
    @pytest.mark.parametrize(
        ("today", "days", "expected"),
        [
            # 29 February is celebrated on 28 February in a non-leap year...
            # (year-less birthdays alike).
            (date(2027, 2, 27), 1, ["Feb28", "Leap", "NoYearLeap"]),
            (date(2027, 2, 28), 0, ["Feb28", "Leap", "NoYearLeap"]),
            (date(2027, 3, 1), 0, ["Mar1"]),
            # ...and on its own day in a leap year.
            (date(2028, 2, 27), 1, ["Feb28"]),
            (date(2028, 2, 27), 2, ["Feb28", "Leap", "NoYearLeap"]),
            (date(2028, 2, 29), 1, ["Leap", "NoYearLeap", "Mar1"]),
            # The window wraps the new year, ordered by the next birthday.
            (date(2026, 12, 30), 5, ["Eve", "NewYear", "Jan4", "NoYearJan4"]),
            (date(2026, 12, 26), 10, ["Eve", "NewYear", "Jan4", "NoYearJan4", "Jan5"]),
            (date(2026, 12, 25), 0, ["Xmas"]),
            (date(2026, 3, 2), 366,
             ["Xmas", "Eve", "NewYear", "Jan4", "NoYearJan4", "Jan5", "Feb28", "Leap",
              "NoYearLeap", "Mar1"]),
            (date(2026, 3, 1), 366,
             ["Mar1", "Xmas", "Eve", "NewYear", "Jan4", "NoYearJan4", "Jan5", "Feb28", "Leap",
              "NoYearLeap"]),
            (date(2026, 6, 1), 30, []),
        ],
    )
    def test_window(self, app, user, today, days, expected):
        assert upcoming(app, user, today, days) == expected


def shifted(days, zone=UTC):
    """A birthday (28 years back: the same leap-ness) `days` from today in `zone`."""
    day = datetime.now(zone).date() + timedelta(days=days)
    return day.replace(year=day.year - 28)


def first_names(response):
    assert response.status_code == 200, response.get_json()
    return [c["first_name"] for c in response.get_json()]


class TestEndpoint:
    @pytest.fixture
    def cards(self, client, auth_headers):
        for name, offset in [("Plus3", 3), ("Today", 0), ("Plus7", 7), ("Plus8", 8),
                             ("Minus1", -1), ("Plus1", 1)]:
            add(client, auth_headers, first_name=name, email=f"{name}@example.com",
                birthday=shifted(offset).isoformat())

    def test_year_less_birthday_in_the_endpoint(self, client, auth_headers):
        day = shifted(2)
        created = add(client, auth_headers, first_name="NoYear", birthday=f"--{day:%m-%d}")
        response = client.get(URL, headers=auth_headers)
        assert response.get_json() == [created]
        assert created["birthday"] == f"--{day:%m-%d}"

    @pytest.mark.usefixtures("cards")
    def test_default_window_is_seven_days(self, client, auth_headers):
        response = client.get(URL, headers=auth_headers)
        assert first_names(response) == ["Today", "Plus1", "Plus3", "Plus7"]
        assert response.headers["X-Total-Count"] == "4"

    @pytest.mark.usefixtures("cards")
    @pytest.mark.parametrize(
        ("time_range", "expected"),
        [(0, ["Today"]), (1, ["Today", "Plus1"]),
         (366, ["Today", "Plus1", "Plus3", "Plus7", "Plus8", "Minus1"])],
    )
    def test_time_range(self, client, auth_headers, time_range, expected):
        assert first_names(client.get(URL, query_string={"time_range": time_range},
                                      headers=auth_headers)) == expected

    @pytest.mark.usefixtures("cards")
    def test_paginated(self, client, auth_headers):
        response = client.get(URL, query_string={"time_range": 366, "limit": 4, "skip": 4},
                              headers=auth_headers)
        assert first_names(response) == ["Plus8", "Minus1"]
        assert response.headers["X-Total-Count"] == "6"
        assert response.headers["X-Page-Count"] == "2"
        assert response.headers["X-Current-Page"] == "2"

    @pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "UTC"])
    def test_today_is_taken_in_the_time_zone(self, client, auth_headers, zone):
        # UTC+14 and UTC-12 are always on different dates.
        for name, tz in [("East", "Pacific/Kiritimati"), ("West", "Etc/GMT+12")]:
            add(client, auth_headers, first_name=name, email=f"{name}@example.com",
                birthday=shifted(0, ZoneInfo(tz)).isoformat())
        today = datetime.now(ZoneInfo(zone)).date()
        expected = [n for n, tz in [("East", "Pacific/Kiritimati"), ("West", "Etc/GMT+12")]
                    if next_birthday(shifted(0, ZoneInfo(tz)), today) == today]
        response = client.get(URL, query_string={"time_range": 0, "tz": zone},
                              headers=auth_headers)
        assert first_names(response) == expected

    @pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", "", "UTC+2"])
    def test_unknown_time_zone_is_400(self, client, auth_headers, zone):
        response = client.get(URL, query_string={"tz": zone}, headers=auth_headers)
        assert response.status_code == 400
        assert response.get_json() == {"error": "bad_request",
                                       "detail": f"Unknown time zone '{zone}'"}

    @pytest.mark.parametrize("time_range", ["-1", "367", "abc", "1.5"])
    def test_time_range_out_of_bounds_is_422(self, client, auth_headers, time_range):
        response = client.get(URL, query_string={"time_range": time_range},
                              headers=auth_headers)
        assert response.status_code == 422
        assert set(response.get_json()["errors"]) == {"time_range"}

    def test_only_own_cards(self, client, auth_headers, make_user, bearer):
        add(client, bearer(make_user("bob")), birthday=shifted(1).isoformat())
        assert first_names(client.get(URL, headers=auth_headers)) == []


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
class TestIndexesOnPostgres:
    """The plans, with sequential scans disabled so table size cannot decide them."""

    def plan(self, app, statement):
        with app.app_context():
            db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            sql = statement.compile(dialect=postgresql.dialect(),
                                    compile_kwargs={"literal_binds": True})
            rows = db.session.execute(sa.text(f"EXPLAIN {sql}")).scalars().all()
            db.session.rollback()
            return "\n".join(rows)

    @pytest.fixture(autouse=True)
    def cards(self, app, user, make_user):
        """A year of birthdays for two owners, analyzed, so the planner has real statistics."""
        other = make_user("bob")
        with app.app_context():
            db.session.add_all(
                Contact(owner_id=owner.id, first_name=f"N{n}", last_name="Doe",
                        email=f"n{n}@example.com", birthday=date(1990, 1, 1) + timedelta(n))
                for owner in (user, other) for n in range(730)
            )
            db.session.commit()
            db.session.execute(sa.text("ANALYZE contacts"))
            db.session.commit()

    @pytest.mark.parametrize(
        ("today", "days"), [(date(2026, 6, 1), 7), (date(2026, 12, 28), 10),
                            (date(2026, 2, 20), 8)],
    )
    def test_birthday_query_uses_the_month_day_index(self, app, user, today, days):
        plan = self.plan(app, birthdays.upcoming_statement(user.id, today, days))
        assert re.search(r"(Bitmap Index Scan on|Index Scan using|Index Only Scan using) "
                         r"ix_contacts_owner_birthday_key", plan), plan
        # The window itself is an index condition, not a filter over the owner's cards.
        assert re.search(r"Index Cond: .*birthday_key = ANY", plan), plan
        assert "Seq Scan" not in plan

    def test_owner_list_uses_the_name_index(self, app, user):
        statement = service.list_statement(user.id).limit(100)
        plan = self.plan(app, statement)
        assert "Index Scan using ix_contacts_owner_name" in plan, plan
        # The index delivers the default order: no sort step.
        assert "Sort" not in plan and "Seq Scan" not in plan, plan
