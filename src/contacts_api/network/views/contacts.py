"""`/1/contacts`: accept requests, list, fetch and delete contacts."""

from ...http import NetworkBlueprint, current_user
from .. import contacts
from ..schemas.arguments import UserIdSchema, UserIdsSchema
from ..schemas.serializers import UserResultSchema, UserSchema

blp = NetworkBlueprint("network_contacts", __name__, url_prefix="/1/contacts",
                       description="Contacts: users linked both ways")


@blp.route("", methods=["GET"])
@blp.login_required
@blp.cached()
@blp.response(200, UserSchema(many=True))
@blp.paginate()
def list_contacts(page):
    """Fetch your contacts, ordered by last then first name."""
    return contacts.list_contacts(current_user(), page)


@blp.route("", methods=["POST"])
@blp.login_required
@blp.arguments(UserIdSchema)
@blp.response(200, UserSchema)
def add_contact(data):
    """Accept the pending request from user `id`; you become each other's contacts."""
    return contacts.add_contact(current_user(), data["id"])


@blp.route("/batch", methods=["POST"])
@blp.login_required
@blp.arguments(UserIdsSchema)
@blp.response(200, UserResultSchema(many=True))
def add_contacts(data):
    """Accept the requests of up to 1000 users: a User or an error per id, in order."""
    return contacts.add_contacts(current_user(), data["ids"])


@blp.route('/<id("batch"):contact_id>', methods=["GET"])
@blp.login_required
@blp.cached()
@blp.response(200, UserSchema)
def get_contact(contact_id):
    """Fetch one contact."""
    return contacts.get_contact(current_user(), contact_id)


@blp.route('/<id("batch"):contact_id>', methods=["DELETE"])
@blp.login_required
@blp.response(200, UserSchema)
def delete_contact(contact_id):
    """Delete a contact, on both sides."""
    return contacts.delete_contact(current_user(), contact_id)
