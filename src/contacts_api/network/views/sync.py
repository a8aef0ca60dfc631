"""`/1/sync`: the changes since your last sync."""

from ...http import NetworkBlueprint, current_user_id
from .. import sync as service
from ..schemas.arguments import SyncArgumentsSchema
from ..schemas.serializers import SyncSchema

blp = NetworkBlueprint("network_sync", __name__, url_prefix="/1/sync",
                       description="Incremental sync of contacts, requests, invites, blocks "
                                   "and the address book")


@blp.route("", methods=["POST"])
@blp.login_required
@blp.arguments(SyncArgumentsSchema)
@blp.response(200, SyncSchema)
def sync(data):
    """Fetch what changed since `since`; pass the returned `synced` as the next `since`."""
    return service.sync(current_user_id(), data.get("since"))
