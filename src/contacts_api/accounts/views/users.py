"""`/api/users/`: the caller's profile and avatar; user administration for admins."""

from functools import wraps

from flask import Blueprint as FlaskBlueprint
from flask import current_app, request, send_file

from ...http import Blueprint, Forbidden, current_user
from ...ratelimits import limit_me
from .. import admin, avatars
from ..schemas import AvatarUploadSchema, RoleSchema, UserSchema

blp = Blueprint("users", __name__, url_prefix="/api/users", description="Users")
media = FlaskBlueprint("media", __name__, url_prefix=avatars.MEDIA_PATH.rstrip("/"))

# Room for the multipart framing around a file of the largest allowed size.
MULTIPART_OVERHEAD = 64 * 1024


def admin_required(func):
    """The caller must be an admin: 403 for anyone else (after the 401 of no one)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        if not current_user().is_admin:
            raise Forbidden(detail="Admin role required")
        return func(*args, **kwargs)

    return wrapper


def accepts_avatar_upload(func):
    """Raise this request's body limit from 1 MiB to the avatar size, before parsing."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        request.max_content_length = current_app.config["AVATAR_MAX_BYTES"] + MULTIPART_OVERHEAD
        return func(*args, **kwargs)

    return wrapper


@blp.route("/me")
@limit_me
@blp.login_required
@blp.response(200, UserSchema)
def me():
    """The caller's account (rate limited per user)."""
    return current_user()


@blp.route("/avatar", methods=["PATCH"])
@blp.login_required
@accepts_avatar_upload
@blp.arguments(AvatarUploadSchema, location="files")
@blp.response(200, UserSchema)
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="Over 5 MiB")
def upload_avatar(args):
    """Set the avatar from an uploaded image, cropped square and resized to 256 px."""
    user = current_user()
    avatars.replace_avatar(user, args["file"])
    return user


@blp.route("/avatar", methods=["DELETE"])
@blp.login_required
@blp.response(200, UserSchema)
def delete_avatar():
    """Remove the avatar."""
    user = current_user()
    avatars.delete_avatar(user)
    return user


@blp.route("")
@blp.login_required
@admin_required
@blp.response(200, UserSchema(many=True))
@blp.alt_response(403, response="FORBIDDEN", description="Not an admin")
@blp.paginate()
def list_users(page):
    """All accounts, oldest first (admins only)."""
    return admin.list_users(page)


@blp.route("/<id:user_id>/role", methods=["PATCH"])
@blp.login_required
@admin_required
@blp.arguments(RoleSchema)
@blp.response(200, UserSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not an admin, or the caller's own role")
@blp.alt_response(404, response="NOT_FOUND", description="No such user")
def set_role(args, user_id):
    """Make an account a user or an admin (admins only)."""
    return admin.set_role(current_user(), user_id, args["role"])


@media.route("/<name>")
def avatar_image(name):
    """Serve a stored avatar; names are random and never reused, so caches may keep them."""
    return send_file(avatars.stored_path(name), mimetype="image/png", max_age=365 * 24 * 3600)
