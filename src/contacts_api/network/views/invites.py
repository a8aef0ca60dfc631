"""`/1/invites`: invite unregistered addresses."""

from ...http import NetworkBlueprint, current_user
from .. import invites
from ..schemas.arguments import EmailsSchema, InviteEmailSchema
from ..schemas.serializers import InviteResultSchema, InviteSchema

blp = NetworkBlueprint("network_invites", __name__, url_prefix="/1/invites",
                       description="Invites: addresses that become requests when they sign up")


@blp.route("", methods=["GET"])
@blp.login_required
@blp.cached()
@blp.response(200, InviteSchema(many=True))
@blp.paginate()
def list_invites(page):
    """Fetch your pending invites, newest first."""
    return invites.list_invites(current_user(), page)


@blp.route("", methods=["POST"])
@blp.login_required
@blp.arguments(InviteEmailSchema)
@blp.response(201, InviteSchema)
def send_invite(data):
    """Invite an address; it receives an invitation email."""
    return invites.send_invite(current_user(), data["email"])


@blp.route("/batch", methods=["POST"])
@blp.login_required
@blp.arguments(EmailsSchema)
@blp.response(200, InviteResultSchema(many=True))
def send_invites(data):
    """Invite up to 1000 addresses: an Invite or an error per address, in order."""
    return invites.send_invites(current_user(), data["emails"])


@blp.route('/<id("batch"):invite_id>', methods=["DELETE"])
@blp.login_required
@blp.response(200, InviteSchema)
def cancel_invite(invite_id):
    """Cancel an invite."""
    return invites.cancel_invite(current_user(), invite_id)
