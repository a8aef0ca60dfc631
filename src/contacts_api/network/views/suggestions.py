"""`/1/suggestions`: people you may know, most mutual contacts first."""

from ...http import NetworkBlueprint, current_user, current_user_id
from .. import suggestions
from ..schemas.arguments import SuggestionArgumentsSchema
from ..schemas.serializers import UserSchema

blp = NetworkBlueprint("network_suggestions", __name__, url_prefix="/1/suggestions",
                       description="Suggested users: contacts of contacts and address-book "
                                   "matches")


def answered_as_listed(data: dict) -> str | None:
    """A recompute whose inputs are unchanged since the last one changes nothing, and
    answers exactly what the listing (`GET`) answers: it shares the listing's cache entry.
    Anything else is not cached."""
    if "id" in data or not suggestions.unchanged(current_user_id()):
        return None
    return ""


@blp.route("", methods=["GET"])
@blp.login_required
@blp.cached()
@blp.response(200, UserSchema(many=True))
@blp.paginate()
def list_suggestions(page):
    """Fetch your suggestions (recomputed when older than an hour)."""
    return suggestions.list_suggestions(current_user(), page)


@blp.route("", methods=["POST"])
@blp.login_required
@blp.arguments(SuggestionArgumentsSchema)
@blp.cached(vary=answered_as_listed, methods=frozenset({"POST"}))
@blp.response(200, UserSchema(many=True))
@blp.paginate()
def trigger_suggestions(data, page):
    """Recompute your suggestions now, or with `id` restore a hidden one; answers the list."""
    if "id" in data:
        return suggestions.restore(current_user(), data["id"], page)
    return suggestions.recompute(current_user(), page)


@blp.route("/<id:user_id>", methods=["DELETE"])
@blp.login_required
@blp.response(200, UserSchema)
def hide_suggestion(user_id):
    """Hide a suggestion; that user is not suggested again unless you restore them."""
    return suggestions.hide(current_user(), user_id)
