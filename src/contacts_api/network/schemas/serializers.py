"""The `/1/` User and Invite objects, and the per-item results of batch endpoints."""

import copy

from marshmallow import Schema, fields, post_dump

from ...accounts.models import PROFILE_FIELDS, PROTECTED_PROFILE_FIELDS, PUBLIC_PROFILE_FIELDS
from ...addressbook.schemas import ContactSchema
from ...http import ApiError, Id, OrRemoved, Timestamp
from ...http.fields import format_timestamp

GUARANTEED = ("id", "first_name", "last_name", "updated")


RELATIONSHIP_TIMES = ("contact_added", "request_sent", "request_received", "suggested",
                      "blocked")


def render_user(view) -> dict:
    """The User object of one `UserView`: what `UserSchema` declares, built directly.

    Lists of users are the network's hot path; walking ~35 marshmallow fields per user
    and then dropping the empty ones cost more than the query. The declared schema
    remains the contract (and the OpenAPI document); `test_serializers` checks that both
    agree. A user who no longer exists (`sync.Gone`) is its `id` alone.
    """
    user = getattr(view, "user", None)
    if user is None:
        return {"id": view.id.hex}
    data = {
        "id": user.id.hex,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "updated": format_timestamp(user.profile_updated_at),
    }
    for name in PROFILE_FIELDS if view.sees_protected else PUBLIC_PROFILE_FIELDS:
        value = getattr(user, name)
        if value:
            data[name] = value
    if view.mutual_contacts_count:
        data["mutual_contacts_count"] = view.mutual_contacts_count
    for name in RELATIONSHIP_TIMES:
        value = getattr(view, name)
        if value is not None:
            data[name] = format_timestamp(value)
    if view.you:
        data["you"] = True
    return data


class _UserSchema(Schema):
    def dump(self, obj, *, many=None):
        many = self.many if many is None else many
        return [render_user(view) for view in obj] if many else render_user(obj)

    @post_dump(pass_original=True)
    def omit_empty_and_protected(self, data, original, **kwargs):
        """The declared schema's own rendering (kept for `dump_declared`)."""
        hidden = () if original.sees_protected else PROTECTED_PROFILE_FIELDS
        return {
            key: value for key, value in data.items()
            if key in GUARANTEED
            or (key not in hidden and value is not None and value is not False
                and value != 0 and value != "")
        }

    def dump_declared(self, obj, *, many=None):
        """Render through the declared marshmallow fields (the reference for `dump`)."""
        return super().dump(obj, many=many)


def _profile_field(name: str) -> fields.Field:
    visibility = (
        "Protected: only for the user, a contact, or the recipient of the user's request"
        if name in PROTECTED_PROFILE_FIELDS else "Public"
    )
    return fields.String(attribute=f"user.{name}", metadata={"description": visibility})


#: A user as the viewer sees them (the seed's User object); empty properties are left out.
UserSchema = _UserSchema.from_dict(
    {
        "id": Id(attribute="user.id", required=True, dump_only=True),
        "first_name": fields.String(attribute="user.first_name", required=True),
        "last_name": fields.String(attribute="user.last_name", required=True),
        "updated": Timestamp(
            attribute="user.profile_updated_at", required=True,
            metadata={"description": "Last change of the user's contact information"},
        ),
        **{name: _profile_field(name) for name in PUBLIC_PROFILE_FIELDS},
        **{name: _profile_field(name) for name in PROTECTED_PROFILE_FIELDS},
        "mutual_contacts_count": fields.Integer(),
        "contact_added": Timestamp(),
        "request_sent": Timestamp(),
        "request_received": Timestamp(),
        "suggested": Timestamp(),
        "blocked": Timestamp(),
        "you": fields.Boolean(),
    },
    name="NetworkUserSchema",
)


class InviteSchema(Schema):
    id = Id(required=True, dump_only=True)
    email = fields.String(required=True)
    sent = Timestamp(attribute="sent_at", required=True)


class _AddressBookChangesSchema(Schema):
    contacts = fields.List(fields.Nested(ContactSchema), required=True,
                           metadata={"description": "Cards created or changed"})
    deleted = fields.List(Id(dump_only=True), required=True,
                          metadata={"description": "Ids of deleted cards"})


class SyncSchema(Schema):
    """`POST /1/sync`: the changes in `(since, synced]` (see `network.sync`)."""

    synced = Timestamp(required=True, metadata={"description": "Pass it as the next `since`"})
    contacts = fields.List(fields.Nested(UserSchema), required=True,
                           metadata={"description": "Contacts added, or whose profile changed"})
    removed_contacts = fields.List(Id(dump_only=True), required=True)
    requests_received = fields.List(
        OrRemoved(UserSchema), required=True,
        metadata={"description": "Users whose request to you came or went; "
                                 "`request_received` is set while it is pending; a deleted "
                                 "account is its `id` alone"})
    requests_sent = fields.List(
        OrRemoved(UserSchema), required=True,
        metadata={"description": "Users whose request from you came or went; "
                                 "`request_sent` is set while it is pending; a deleted "
                                 "account is its `id` alone"})
    invites = fields.List(
        OrRemoved(InviteSchema), required=True,
        metadata={"description": "Invites sent; an invite that is gone has its `id` alone"})
    blocks = fields.List(
        OrRemoved(UserSchema), required=True,
        metadata={"description": "Users blocked or unblocked; `blocked` is set while blocked; "
                                 "a deleted account is its `id` alone"})
    address_book = fields.Nested(_AddressBookChangesSchema, required=True)


def _result_schema(base):
    """A batch entry: `base`'s object, or that item's `{"error", "detail"}`."""

    def dump(self, obj, *, many=None):
        many = self.many if many is None else many
        if many:
            return [self.dump(item, many=False) for item in obj]
        if isinstance(obj, ApiError):
            return {"error": obj.error, "detail": obj.detail}
        return base().dump(obj)

    # For the OpenAPI document: no property is required, since an entry is one or the other.
    optional = {}
    for name, field in base._declared_fields.items():
        optional[name] = copy.copy(field)
        optional[name].required = False
    return type(f"{base.__name__.removesuffix('Schema')}ResultSchema", (base,), {
        **optional,
        "error": fields.String(metadata={"description": "Only on a failed item"}),
        "detail": fields.Raw(metadata={"description": "Only on a failed item"}),
        "dump": dump,
    })


UserResultSchema = _result_schema(UserSchema)
InviteResultSchema = _result_schema(InviteSchema)
