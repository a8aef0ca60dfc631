"""`/api/contacts/duplicates` and `/api/contacts/merge`: cleaning up the caller's book."""

from ...http import Blueprint, current_user_id
from .. import duplicates
from ..schemas import ContactSchema, DuplicateGroupSchema, MergeSchema
from .contacts import LIST_TTL

blp = Blueprint("duplicates", __name__, url_prefix="/api/contacts",
                description="Duplicate contacts and merging them")


@blp.route("/duplicates", methods=["GET"])
@blp.login_required
@blp.cached(timeout=LIST_TTL)
@blp.response(200, DuplicateGroupSchema(many=True))
@blp.paginate()
def list_duplicates(page):
    """List groups of your cards sharing a phone, a name or an email."""
    return duplicates.find_duplicates(current_user_id(), page)


@blp.route("/merge", methods=["POST"])
@blp.login_required
@blp.arguments(MergeSchema)
@blp.response(200, ContactSchema)
def merge_contacts(data):
    """Merge two or more of your cards into one; the others are deleted."""
    return duplicates.merge(current_user_id(), data["ids"], data["into"])
