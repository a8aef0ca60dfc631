"""What `/1/` endpoints accept; a field's failure becomes the seed's 400 code for it."""

from marshmallow import Schema, fields, validate

from ...accounts.models import PROFILE_FIELDS, User
from ...http import CommaList, EmailAddress, Id, SyncTime

MAX_BATCH = 1000
USERNAME = validate.Regexp(r"^[A-Za-z0-9_.-]{3,50}$")
PASSWORD = validate.Length(min=8, max=128)
# 1..50 characters, not all blank.
NAME = [validate.Length(min=1, max=50), validate.Regexp(r"[\s\S]*\S")]


def _profile_fields() -> dict:
    """Every profile field, limited to its column's length; "" (or null) clears it."""
    return {
        name: fields.String(allow_none=True,
                            validate=validate.Length(max=User.__table__.c[name].type.length))
        for name in PROFILE_FIELDS
    }


SignUpSchema = Schema.from_dict(
    {
        "first_name": fields.String(required=True, validate=NAME),
        "last_name": fields.String(required=True, validate=NAME),
        "email": EmailAddress(required=True),
        "password": fields.String(required=True, validate=PASSWORD, load_only=True),
        "username": fields.String(validate=USERNAME),
        **_profile_fields(),
    },
    name="SignUpSchema",
)

UpdateSelfSchema = Schema.from_dict(
    {
        "first_name": fields.String(validate=NAME),
        "last_name": fields.String(validate=NAME),
        "password": fields.String(validate=PASSWORD, load_only=True),
        "add_email": EmailAddress(metadata={"description": "Claim another address"}),
        "remove_email": EmailAddress(metadata={"description": "Release an added address"}),
        **_profile_fields(),
    },
    name="UpdateSelfSchema",
)


class UserIdSchema(Schema):
    id = Id(required=True)


class UserIdsSchema(Schema):
    # Items are checked one by one: a malformed id (null too) is that item's `invalid_id`.
    ids = CommaList(fields.Raw(allow_none=True), required=True,
                    validate=validate.Length(max=MAX_BATCH),
                    metadata={"description": f"At most {MAX_BATCH} user ids"})


class InviteEmailSchema(Schema):
    email = EmailAddress(required=True)


class EmailsSchema(Schema):
    emails = CommaList(fields.Raw(allow_none=True), required=True,
                       validate=validate.Length(max=MAX_BATCH),
                       metadata={"description": f"At most {MAX_BATCH} addresses"})


class FindSchema(Schema):
    """Either list may be left out, not both (`missing_required_argument`, detail `email`).

    Empty values are dropped, so `email=` alone counts as no email.
    """

    email = CommaList(fields.String(), load_default=list)
    phone = CommaList(fields.String(), load_default=list)


class SearchSchema(Schema):
    q = fields.String(required=True, validate=validate.Length(min=2), metadata={
        "description": "At least 2 characters once spaces, case and accents are folded"})


class SyncArgumentsSchema(Schema):
    since = SyncTime(allow_none=True, metadata={
        "description": "The `synced` of your previous call (ISO 8601 or UNIX epoch seconds); "
                       "without it, everything"})


class SuggestionArgumentsSchema(Schema):
    id = Id(metadata={"description": "Restore this hidden suggestion"})
