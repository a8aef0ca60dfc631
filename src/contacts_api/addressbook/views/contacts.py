"""`/api/contacts/`: the caller's address book."""

from flask import request

from ...http import Blueprint, current_user_id
from .. import birthdays, service
from ..schemas import (
    ContactListQuerySchema,
    ContactPatchSchema,
    ContactSchema,
    UpcomingBirthdayQuerySchema,
)

blp = Blueprint("contacts", __name__, url_prefix="/api/contacts", description="The address book")

#: Seconds a cached read lives (API.md §1); every write invalidates them at once anyway.
SINGLE_TTL = LIST_TTL = 10
BIRTHDAYS_TTL = 3600
#: The static paths beside `/<id>`: their other methods are 405s, not invalid ids.
SIBLINGS = ", ".join(repr(name) for name in (
    "get-upcoming-birthday", "labels", "duplicates", "merge", "birthdays.ics", "import",
    "export"))


def local_date() -> str:
    """Cached upcoming birthdays must not outlive the local day they were computed for."""
    return birthdays.local_date_key(request.args.get("tz"))


@blp.route("/", methods=["GET"])
@blp.login_required
@blp.cached(timeout=LIST_TTL)
@blp.arguments(ContactListQuerySchema, location="query")
@blp.response(200, ContactSchema(many=True))
@blp.paginate()
def list_contacts(args, page):
    """List your contacts, filtered by `query` and ordered by `sort`."""
    return service.list_contacts(current_user_id(), page, args.get("query"), args.get("sort"))


@blp.route("/", methods=["POST"])
@blp.login_required
@blp.arguments(ContactSchema)
@blp.response(201, ContactSchema)
def create_contact(data):
    """Add a contact."""
    return service.create_contact(current_user_id(), data)


@blp.route("/get-upcoming-birthday", methods=["GET"])
@blp.login_required
@blp.cached(timeout=BIRTHDAYS_TTL, vary=local_date)
@blp.arguments(UpcomingBirthdayQuerySchema, location="query")
@blp.response(200, ContactSchema(many=True))
@blp.paginate()
def upcoming_birthdays(args, page):
    """List contacts whose next birthday is within `time_range` days, soonest first."""
    return service.upcoming_birthdays(current_user_id(), page, args["time_range"], args.get("tz"))


@blp.route(f"/<id({SIBLINGS}):contact_id>", methods=["GET"])
@blp.login_required
@blp.cached(timeout=SINGLE_TTL)
@blp.response(200, ContactSchema)
def get_contact(contact_id):
    """Get one of your contacts."""
    return service.get_contact(current_user_id(), contact_id)


@blp.route(f"/<id({SIBLINGS}):contact_id>", methods=["PUT"])
@blp.login_required
@blp.arguments(ContactSchema)
@blp.response(200, ContactSchema)
def replace_contact(data, contact_id):
    """Replace a contact; omitted optional fields become null."""
    return service.replace_contact(current_user_id(), contact_id, data)


@blp.route(f"/<id({SIBLINGS}):contact_id>", methods=["PATCH"])
@blp.login_required
@blp.arguments(ContactPatchSchema(partial=True))
@blp.response(200, ContactSchema)
def update_contact(data, contact_id):
    """Change some fields of a contact."""
    return service.update_contact(current_user_id(), contact_id, data)


@blp.route(f"/<id({SIBLINGS}):contact_id>", methods=["DELETE"])
@blp.login_required
@blp.response(200, ContactSchema)
def delete_contact(contact_id):
    """Delete a contact; answers with the deleted card."""
    return service.delete_contact(current_user_id(), contact_id)
