"""`/1/blocks`: block and unblock users."""

from ...http import NetworkBlueprint, current_user
from .. import blocks
from ..schemas.arguments import UserIdSchema
from ..schemas.serializers import UserSchema

blp = NetworkBlueprint("network_blocks", __name__, url_prefix="/1/blocks",
                       description="Blocked users")


@blp.route("", methods=["GET"])
@blp.login_required
@blp.cached()
@blp.response(200, UserSchema(many=True))
@blp.paginate()
def list_blocks(page):
    """Fetch the users you blocked, most recent first."""
    return blocks.list_blocks(current_user(), page)


@blp.route("", methods=["POST"])
@blp.login_required
@blp.arguments(UserIdSchema)
@blp.response(200, UserSchema)
def block_user(data):
    """Block user `id`: contact, requests and suggestions between you are removed."""
    return blocks.block_user(current_user(), data["id"])


@blp.route("/<id:blocked_id>", methods=["DELETE"])
@blp.login_required
@blp.response(200, UserSchema)
def unblock_user(blocked_id):
    """Unblock a user."""
    return blocks.unblock_user(current_user(), blocked_id)
