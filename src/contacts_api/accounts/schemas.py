"""What `/api/auth/` and `/api/users/` take and return."""

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..http import EmailAddress, Id, Timestamp
from . import avatars
from .models import Role

USERNAME = validate.Regexp(
    r"^[A-Za-z0-9_.-]{3,50}$",
    error="3 to 50 characters: letters, digits, '_', '.' or '-'.",
)
PASSWORD = validate.Length(min=8, max=128)


class UserSchema(Schema):
    id = Id(dump_only=True)
    username = fields.String()
    email = fields.String()
    created_at = Timestamp()
    avatar = fields.Function(lambda user: avatars.url(user.avatar),
                             metadata={"type": "string", "nullable": True,
                                       "description": "Absolute URL of the avatar image"})
    is_verified = fields.Boolean()
    role = fields.String(metadata={"enum": [role.value for role in Role]})


class RegisterSchema(Schema):
    username = fields.String(required=True, validate=USERNAME)
    email = EmailAddress(required=True)
    password = fields.String(required=True, validate=PASSWORD, load_only=True)
    first_name = fields.String(validate=validate.Length(max=50), load_default="")
    last_name = fields.String(validate=validate.Length(max=50), load_default="")


class LoginSchema(Schema):
    """Optional here: HTTP Basic may carry the credentials instead."""

    username = fields.String(validate=validate.Length(min=1, max=255),
                             metadata={"description": "Username or email"})
    password = fields.String(validate=validate.Length(min=1, max=1024))


class TokenPairSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "bearer"})


class RefreshSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=4096))


class LogoutSchema(Schema):
    refresh_token = fields.String(validate=validate.Length(min=1, max=4096))


class EmailSchema(Schema):
    email = EmailAddress(required=True)


class SetPasswordSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    password = fields.String(required=True, validate=PASSWORD)
    confirm_password = fields.String(required=True)

    @validates_schema
    def passwords_match(self, data, **kwargs):
        if "password" in data and data.get("confirm_password") != data["password"]:
            raise ValidationError("Passwords do not match.", "confirm_password")


class MessageSchema(Schema):
    message = fields.String(required=True)


class RoleSchema(Schema):
    role = fields.Enum(Role, by_value=True, required=True)


class AvatarUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "PNG, JPEG, GIF or WebP, at most 5 MiB"})
