"""`/1/you`: the viewer's own User."""

from ...http import NetworkBlueprint, current_user
from .. import profiles
from ..schemas.arguments import UpdateSelfSchema
from ..schemas.serializers import UserSchema
from ..viewing import view_user

blp = NetworkBlueprint("network_you", __name__, url_prefix="/1/you",
                       description="The authenticated user's own profile")


@blp.route("", methods=["GET"])
@blp.login_required
@blp.cached()
@blp.response(200, UserSchema)
def get_self():
    """Fetch your own User."""
    viewer = current_user()
    return view_user(viewer.id, viewer.id)


@blp.route("", methods=["PUT"])
@blp.login_required
@blp.arguments(UpdateSelfSchema)
@blp.response(200, UserSchema)
def update_self(data):
    """Update your profile (an empty string clears a field), password or emails."""
    return profiles.update_self(current_user(), data)
