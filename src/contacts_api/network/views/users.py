"""`/1/users`: sign up."""

from ...http import NetworkBlueprint
from .. import profiles
from ..schemas.arguments import SignUpSchema
from ..schemas.serializers import UserSchema

blp = NetworkBlueprint("network_users", __name__, url_prefix="/1/users",
                       description="Sign up for the network")


@blp.route("", methods=["POST"])
@blp.arguments(SignUpSchema)
@blp.response(201, UserSchema)
def sign_up(data):
    """Create an account; it must verify its email before it can sign in."""
    return profiles.sign_up(data)
