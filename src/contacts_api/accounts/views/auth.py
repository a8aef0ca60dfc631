"""`/api/auth/`: register, log in and out, refresh tokens, verify email, reset password."""

from ...http import Blueprint, current_user
from ...http.auth import read_credentials
from ...http.errors import ValidationFailed
from .. import service, sessions
from ..auth import current_token_claims
from ..schemas import (
    EmailSchema,
    LoginSchema,
    LogoutSchema,
    MessageSchema,
    RefreshSchema,
    RegisterSchema,
    SetPasswordSchema,
    TokenPairSchema,
    UserSchema,
)

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Accounts and tokens")

RESET_SENT = "If the email exists, a reset link was sent."
VERIFICATION_SENT = "If the email belongs to an unverified account, a verification link was sent."


def login_credentials(args: dict) -> tuple[str, str]:
    """Login and password from the body, or else from an HTTP Basic header."""
    if "username" in args or "password" in args:
        missing = {name: ["Missing data for required field."]
                   for name in ("username", "password") if name not in args}
        if missing:
            raise ValidationFailed(missing)
        return args["username"], args["password"]
    credentials = read_credentials()
    if credentials is None or credentials.scheme != "basic":
        raise ValidationFailed({name: ["Missing data for required field."]
                                for name in ("username", "password")})
    return credentials.login, credentials.password


@blp.route("/register", methods=["POST"])
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, response="CONFLICT", description="Username or email already taken")
def register(args):
    """Create an account and send its verification email."""
    return service.register(**args)


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED", description="Wrong credentials or unverified")
@blp.doc(security=[{}, {"basicAuth": []}])
def login(args):
    """Exchange a username (or email) and password for an access and a refresh token."""
    return sessions.login(*login_credentials(args))


@blp.route("/refresh-token", methods=["POST"])
@blp.arguments(RefreshSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED", description="Invalid, expired or reused token")
def refresh_token(args):
    """Exchange a refresh token for a new pair; the presented one stops working."""
    return sessions.refresh(args["refresh_token"])


@blp.route("/logout", methods=["POST"])
@blp.login_required
@blp.arguments(LogoutSchema)
@blp.response(200, MessageSchema)
def logout(args):
    """Revoke the access token's login, and the given refresh token."""
    sessions.logout(current_user(), current_token_claims(), args.get("refresh_token"))
    return {"message": "Logged out"}


@blp.route("/confirmed_email/<token>")
@blp.response(200, MessageSchema)
@blp.alt_response(400, response="BAD_REQUEST", description="Invalid or expired token")
def confirmed_email(token):
    """Verify an email address with the link from the verification email."""
    verified_now = service.confirm_email(token)
    return {"message": "Email verified successfully" if verified_now else "Email already verified"}


@blp.route("/request_email", methods=["POST"])
@blp.arguments(EmailSchema)
@blp.response(200, MessageSchema)
def request_email(args):
    """Send the verification email again (the answer does not say whether it was)."""
    service.resend_verification(args["email"])
    return {"message": VERIFICATION_SENT}


@blp.route("/reset-password", methods=["POST"])
@blp.arguments(EmailSchema)
@blp.response(200, MessageSchema)
def reset_password(args):
    """Email a password reset token (the answer does not say whether it was)."""
    service.request_password_reset(args["email"])
    return {"message": RESET_SENT}


@blp.route("/set-password", methods=["POST"])
@blp.arguments(SetPasswordSchema)
@blp.response(200, MessageSchema)
@blp.alt_response(400, response="BAD_REQUEST", description="Invalid, expired or used token")
def set_password(args):
    """Set a new password with a reset token; every earlier token is revoked."""
    service.reset_password(args["token"], args["password"])
    return {"message": "Password updated successfully"}
