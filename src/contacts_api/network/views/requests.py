"""`/1/requests`: send contact requests; list, decline and cancel them."""

from ...http import NetworkBlueprint, current_user
from .. import requests
from ..schemas.arguments import UserIdSchema, UserIdsSchema
from ..schemas.serializers import UserResultSchema, UserSchema

blp = NetworkBlueprint("network_requests", __name__, url_prefix="/1/requests",
                       description="Contact requests, pending until accepted or withdrawn")


@blp.route("", methods=["POST"])
@blp.login_required
@blp.arguments(UserIdSchema)
@blp.response(200, UserSchema)
def send_request(data):
    """Ask user `id` to become your contact."""
    return requests.send_request(current_user(), data["id"])


@blp.route("/batch", methods=["POST"])
@blp.login_required
@blp.arguments(UserIdsSchema)
@blp.response(200, UserResultSchema(many=True))
def send_requests(data):
    """Request up to 1000 users: a User or an error per id, in order."""
    return requests.send_requests(current_user(), data["ids"])


@blp.route("/received", methods=["GET"])
@blp.login_required
@blp.cached()
@blp.response(200, UserSchema(many=True))
@blp.paginate()
def list_received(page):
    """Fetch the users whose requests to you are pending, newest first."""
    return requests.list_received(current_user(), page)


@blp.route("/received/<id:sender_id>", methods=["DELETE"])
@blp.login_required
@blp.response(200, UserSchema)
def decline(sender_id):
    """Decline a request you received."""
    return requests.decline(current_user(), sender_id)


@blp.route("/sent", methods=["GET"])
@blp.login_required
@blp.cached()
@blp.response(200, UserSchema(many=True))
@blp.paginate()
def list_sent(page):
    """Fetch the users you sent a pending request, newest first."""
    return requests.list_sent(current_user(), page)


@blp.route("/sent/<id:recipient_id>", methods=["DELETE"])
@blp.login_required
@blp.response(200, UserSchema)
def cancel(recipient_id):
    """Cancel a request you sent."""
    return requests.cancel(current_user(), recipient_id)
