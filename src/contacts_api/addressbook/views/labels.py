"""`/api/contacts/labels`: the labels on the caller's cards."""

from ...http import Blueprint, current_user_id
from .. import service
from ..schemas import LabelRenameSchema, LabelSchema
from .contacts import LIST_TTL

blp = Blueprint("labels", __name__, url_prefix="/api/contacts",
                description="Labels on contacts")


@blp.route("/labels", methods=["GET"])
@blp.login_required
@blp.cached(timeout=LIST_TTL)
@blp.response(200, LabelSchema(many=True))
@blp.paginate()
def list_labels(page):
    """List your labels with the number of cards carrying each, ordered by name."""
    return service.list_labels(current_user_id(), page)


@blp.route("/labels/<path:name>", methods=["PATCH"])
@blp.login_required
@blp.arguments(LabelRenameSchema)
@blp.response(200, LabelSchema)
def rename_label(data, name):
    """Rename a label on every card; merges into a label already called that."""
    return service.rename_label(current_user_id(), name, data["name"])


@blp.route("/labels/<path:name>", methods=["DELETE"])
@blp.login_required
@blp.response(200, LabelSchema)
def delete_label(name):
    """Remove a label from every card; answers how many cards carried it."""
    return service.delete_label(current_user_id(), name)
