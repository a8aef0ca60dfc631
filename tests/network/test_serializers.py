"""The direct User rendering agrees with the declared schema, field for field."""

import uuid
from datetime import UTC, datetime

import pytest

from contacts_api.accounts.models import PROFILE_FIELDS, User
from contacts_api.network.schemas.serializers import UserResultSchema, UserSchema
from contacts_api.network.viewing import UserView

NOW = datetime(2025, 4, 16, 12, 28, 54, 744000, tzinfo=UTC)


def _user(**fields):
    names = {"first_name": "Zoë", "last_name": "Ångström"}
    return User(id=uuid.UUID("fd0540d0-1094-45e3-a060-1bc6e69f8f1d"), profile_updated_at=NOW,
                **(names | fields))


FULL = {name: f"value of {name}" for name in PROFILE_FIELDS}
CASES = [
    UserView(_user()),
    UserView(_user(**FULL)),
    UserView(_user(**FULL), contact_added=NOW, mutual_contacts_count=3),
    UserView(_user(**FULL), request_received=NOW, request_sent=NOW, suggested=NOW),
    UserView(_user(**FULL), blocked=NOW, mutual_contacts_count=0),
    UserView(_user(**FULL), you=True),
    UserView(_user(organization="", title="  ", home_email="", work_email="a@example.com")),
    UserView(_user(first_name="", last_name="", organization="Acme"), contact_added=NOW),
]


@pytest.mark.parametrize("view", CASES)
def test_direct_rendering_matches_declared_schema(view):
    schema = UserSchema()
    expected = schema.dump_declared(view)
    assert schema.dump(view) == expected
    assert list(schema.dump(view)) == list(expected)


def test_many_and_batch_results_use_the_same_rendering():
    assert UserSchema(many=True).dump(CASES) == [UserSchema().dump_declared(v) for v in CASES]
    assert UserResultSchema(many=True).dump(CASES[:2]) == [UserSchema().dump(v) for v in CASES[:2]]


def test_protected_fields_need_a_relationship():
    rendered = UserSchema().dump(UserView(_user(**FULL)))
    assert "home_email" not in rendered and rendered["organization"] == "value of organization"
