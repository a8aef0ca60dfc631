"""The direct card rendering agrees with the declared ContactSchema, field for field."""

import uuid
from datetime import UTC, date, datetime

import pytest

from addressbook_helpers import URL, add
from contacts_api.addressbook.models import Contact, MonthDay
from contacts_api.addressbook.schemas import ContactPatchSchema, ContactSchema

NOW = datetime(2025, 4, 16, 12, 28, 54, 744000, tzinfo=UTC)


def _card(**fields):
    values = {"id": uuid.UUID("fd0540d0-1094-45e3-a060-1bc6e69f8f1d"), "first_name": "Zoë",
              "last_name": "Ångström", "email": "zoe@example.com", "created_at": NOW,
              "updated_at": NOW}
    return Contact(**(values | fields))


CASES = [
    _card(),
    _card(phone="+14155552671", birthday=date(1990, 2, 28),
          additional_data={"company": "Acme", "tags": ["a", "b"], "nested": {"n": 1}}),
    _card(additional_data={}),
    _card(email=None, birthday=MonthDay(2, 29), labels=["Family", "Work"]),
]


@pytest.mark.parametrize("card", CASES)
@pytest.mark.parametrize("schema", [ContactSchema, ContactPatchSchema])
def test_direct_rendering_matches_declared_schema(schema, card):
    rendered = schema().dump(card)
    expected = schema().dump_declared(card)
    assert rendered == expected
    assert list(rendered) == list(expected)


def test_many():
    assert ContactSchema(many=True).dump(CASES) == ContactSchema().dump_declared(CASES, many=True)


def test_year_less_birthday_labels_and_no_email():
    rendered = ContactSchema().dump(CASES[-1])
    assert (rendered["email"], rendered["birthday"], rendered["labels"]) == (
        None, "--02-29", ["Family", "Work"])


def test_listed_pages_render_like_single_cards(client, auth_headers):
    """Lists render the rows of a page by position, single cards the ORM object by name:
    the two agree on every field, with and without a year, labels or additional data."""
    add(client, auth_headers, email="a@example.com", birthday="--02-29", labels=["Family"])
    add(client, auth_headers, email="b@example.com", birthday="1990-02-28", phone="+14155552671",
        additional_data={"company": "Acme", "nested": {"n": 1}})
    add(client, auth_headers, email="c@example.com", first_name="Ann")
    for path in (URL + "?limit=100", URL + "get-upcoming-birthday?time_range=366"):
        listed = client.get(path, headers=auth_headers).get_json()
        assert listed
        for card in listed:
            single = client.get(URL + card["id"], headers=auth_headers).get_json()
            assert card == single
            assert list(card) == list(single)
