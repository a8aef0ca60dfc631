"""The birthday calendar: `/api/contacts/birthdays.ics`, and the secret feed URL."""

import hashlib
import re
import uuid
from datetime import date, datetime

import icalendar
import pytest
import sqlalchemy as sa
from dateutil.rrule import rrulestr

from addressbook_helpers import URL, add
from contacts_api.addressbook.models import CalendarFeed
from contacts_api.database import db

ICS = URL + "birthdays.ics"
FEED = "/api/users/me/calendar-feed"
CALENDAR_TYPE = "text/calendar; charset=utf-8"


def events(response) -> list:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == CALENDAR_TYPE
    calendar = icalendar.Calendar.from_ical(response.get_data())
    assert (str(calendar["VERSION"]), str(calendar["PRODID"])) == (
        "2.0", "-//contacts_api//Birthdays//EN")
    return calendar.walk("VEVENT")


def occurrences(event, year: int) -> list[date]:
    """The days `event` falls on in `year`, as a calendar app would expand its rule."""
    start = event.decoded("DTSTART")
    rule = rrulestr(event["RRULE"].to_ical().decode(),
                    dtstart=datetime(start.year, start.month, start.day))
    return [moment.date() for moment in
            rule.between(datetime(year, 1, 1), datetime(year, 12, 31), inc=True)]


@pytest.fixture
def cards(client, auth_headers):
    return {name: add(client, auth_headers, first_name=name, last_name="Doe",
                      email=f"{name}@example.com", birthday=birthday)
            for name, birthday in [("Leap", "2000-02-29"), ("Ides", "1980-03-15"),
                                   ("Noyear", "--07-04"), ("Noyearleap", "--02-29"),
                                   ("Nobody", None)]}


class TestCalendar:
    def test_one_yearly_all_day_event_per_birthday(self, client, auth_headers, cards):
        found = events(client.get(ICS, headers=auth_headers))
        assert [(str(e["SUMMARY"]), e.decoded("DTSTART"), e["RRULE"].to_ical().decode())
                for e in found] == [
            ("Leap Doe", date(2000, 2, 29), "FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2"),
            ("Noyearleap Doe", date(2000, 2, 29), "FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2"),
            ("Ides Doe", date(1980, 3, 15), "FREQ=YEARLY"),
            ("Noyear Doe", date(2000, 7, 4), "FREQ=YEARLY"),
        ]
        by_name = {str(e["SUMMARY"]): e for e in found}
        assert str(by_name["Ides Doe"]["UID"]) == f"{cards['Ides']['id']}@contacts_api"
        # All-day: DTSTART is a DATE value.
        assert "DTSTART;VALUE=DATE:19800315" in client.get(ICS, headers=auth_headers
                                                           ).get_data(as_text=True)

    @pytest.mark.parametrize(("year", "day"), [(2027, date(2027, 2, 28)),
                                               (2028, date(2028, 2, 29))])
    def test_29_february_falls_on_28_february_in_other_years(
            self, client, auth_headers, cards, year, day):
        for event in events(client.get(ICS, headers=auth_headers)):
            if str(event["SUMMARY"]).startswith(("Leap", "Noyearleap")):
                assert occurrences(event, year) == [day]
            if str(event["SUMMARY"]) == "Ides Doe":
                assert occurrences(event, year) == [date(year, 3, 15)]

    def test_uid_is_stable_and_the_feed_follows_writes(self, client, auth_headers, cards):
        first = client.get(ICS, headers=auth_headers)
        assert first.headers["X-Cache"] == "MISS"
        second = client.get(ICS, headers=auth_headers)
        assert second.headers["X-Cache"] == "HIT"
        assert second.get_data() == first.get_data()
        assert second.headers["Content-Type"] == CALENDAR_TYPE
        assert client.get(ICS, headers={**auth_headers, "If-None-Match": first.headers["ETag"]}
                          ).status_code == 304
        client.patch(URL + cards["Ides"]["id"], json={"first_name": "Julius"},
                     headers=auth_headers)
        third = client.get(ICS, headers=auth_headers)
        assert third.headers["X-Cache"] == "MISS"
        renamed = [e for e in events(third) if str(e["SUMMARY"]) == "Julius Doe"]
        assert [str(e["UID"]) for e in renamed] == [f"{cards['Ides']['id']}@contacts_api"]

    def test_empty_book_and_only_own_cards(self, client, cards, make_user, bearer):
        assert events(client.get(ICS, headers=bearer(make_user("bob")))) == []

    def test_requires_authentication(self, client):
        response = client.get(ICS)
        assert response.status_code == 401
        assert response.get_json() == {"error": "unauthorized", "detail": "Not authenticated"}


class TestSecretUrl:
    def test_create_use_replace_revoke(self, app, client, auth_headers, user, cards):
        response = client.post(FEED, headers=auth_headers)
        assert response.status_code == 201
        url = response.get_json()["url"]
        assert list(response.get_json()) == ["url"]
        match = re.fullmatch(
            rf"http://localhost/api/calendar/{user.id.hex}\.([A-Za-z0-9_-]{{43}})\.ics", url)
        assert match, url
        with app.app_context():
            stored = db.session.scalars(sa.select(CalendarFeed.secret_hash)).all()
        assert stored == [hashlib.sha256(match[1].encode()).hexdigest()]

        path = url.removeprefix("http://localhost")
        shared = client.get(path)
        assert [str(e["SUMMARY"]) for e in events(shared)] == [
            "Leap Doe", "Noyearleap Doe", "Ides Doe", "Noyear Doe"]
        assert shared.get_data() == client.get(ICS, headers=auth_headers).get_data()

        # A new URL replaces the old one.
        newer = client.post(FEED, headers=auth_headers).get_json()["url"]
        assert newer != url
        response = client.get(path)
        assert response.status_code == 404
        assert response.get_json() == {"error": "not_found",
                                       "detail": "Calendar feed not found"}
        assert client.get(newer.removeprefix("http://localhost")).status_code == 200

        response = client.delete(FEED, headers=auth_headers)
        assert (response.status_code, response.get_data()) == (204, b"")
        assert client.get(newer.removeprefix("http://localhost")).status_code == 404
        # Revoking again is no error.
        assert client.delete(FEED, headers=auth_headers).status_code == 204

    def test_the_shared_feed_is_cached_and_follows_writes(self, client, auth_headers, cards):
        path = client.post(FEED, headers=auth_headers).get_json()["url"].removeprefix(
            "http://localhost")
        assert client.get(path).headers["X-Cache"] == "MISS"
        assert client.get(path).headers["X-Cache"] == "HIT"
        client.delete(URL + cards["Ides"]["id"], headers=auth_headers)
        response = client.get(path)
        assert response.headers["X-Cache"] == "MISS"
        assert "Ides Doe" not in [str(e["SUMMARY"]) for e in events(response)]

    @pytest.mark.config(PUBLIC_BASE_URL="https://contacts.example.org")
    def test_public_base_url(self, client, auth_headers):
        url = client.post(FEED, headers=auth_headers).get_json()["url"]
        assert url.startswith("https://contacts.example.org/api/calendar/")

    @pytest.mark.parametrize("secret", ["nope", "x" * 43, "a" * 500, "{user}", "{user}.",
                                        "{user}.x", "{user}.{random}x", "{other}.{random}",
                                        ".{random}"])
    def test_unknown_secret_is_404(self, client, auth_headers, user, secret):
        url = client.post(FEED, headers=auth_headers).get_json()["url"]
        random_part = url.removesuffix(".ics").rsplit(".", 1)[1]
        secret = secret.format(user=user.id.hex, other=uuid.uuid4().hex, random=random_part)
        response = client.get(f"/api/calendar/{secret}.ics")
        assert response.status_code == 404
        assert response.get_json() == {"error": "not_found",
                                       "detail": "Calendar feed not found"}

    def test_each_user_their_own_feed(self, client, auth_headers, cards, make_user, bearer):
        other = bearer(make_user("bob"))
        add(client, other, first_name="Bobs", last_name="Friend", birthday="1970-01-01")
        mine = client.post(FEED, headers=auth_headers).get_json()["url"]
        theirs = client.post(FEED, headers=other).get_json()["url"]
        assert [str(e["SUMMARY"]) for e in
                events(client.get(theirs.removeprefix("http://localhost")))] == ["Bobs Friend"]
        assert len(events(client.get(mine.removeprefix("http://localhost")))) == 4

    @pytest.mark.config(RATELIMIT_UNAUTHENTICATED="2 per minute")
    def test_the_secret_url_has_the_unauthenticated_budget(self, client, auth_headers):
        path = client.post(FEED, headers=auth_headers).get_json()["url"].removeprefix(
            "http://localhost")
        assert [client.get(path).status_code for _ in range(2)] == [200, 200]
        response = client.get(path)
        assert response.status_code == 429
        assert response.get_json()["error"] == "rate_limited"

    @pytest.mark.parametrize("method", ["post", "delete"])
    def test_requires_authentication(self, client, method):
        response = getattr(client, method)(FEED)
        assert response.status_code == 401
        assert response.get_json() == {"error": "unauthorized", "detail": "Not authenticated"}
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="contacts"'
