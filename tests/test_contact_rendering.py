"""The direct card rendering agrees with the declared ContactSchema, field for field."""

import uuid
from datetime import UTC, date, datetime

import pytest

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
