"""`/1/find` and `/1/search`: discover users by address, number or name."""

from ...http import NetworkBlueprint, current_user
from .. import discovery
from ..schemas.arguments import FindSchema, SearchSchema
from ..schemas.serializers import UserSchema

blp = NetworkBlueprint("network_discovery", __name__, url_prefix="/1",
                       description="Find and search users")


@blp.route("/find", methods=["GET"])
@blp.login_required
@blp.cached()
@blp.arguments(FindSchema, location="query")
@blp.response(200, UserSchema(many=True))
def find(args):
    """Find users by email or phone (up to 1000 values in all)."""
    return discovery.find(current_user(), args["email"], args["phone"])


@blp.route("/search", methods=["GET"])
@blp.login_required
@blp.cached()
@blp.arguments(SearchSchema, location="query")
@blp.response(200, UserSchema(many=True))
@blp.paginate()
def search(args, page):
    """Search users by name, organization or username, best match first."""
    return discovery.search(current_user(), args["q"], page)
