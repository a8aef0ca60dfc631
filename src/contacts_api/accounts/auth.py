"""Who is calling: Bearer access tokens on both surfaces, HTTP Basic on `/1/`.

Credentials are checked once per request, before rate limiting (whose budget depends on
whether the caller is authenticated). The outcome is recorded for `current_user()`;
an endpoint that needs no user never fails because of bad credentials.
"""

import uuid
from datetime import UTC, datetime

import jwt as pyjwt
import sqlalchemy as sa
from flask import current_app
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException

from ..database import db
from ..http.auth import accepted_schemes, authenticated, read_credentials, rejected, unauthorized
from ..http.errors import ApiError
from .models import User
from .passwords import dummy_verify, verify_password


def find_by_login(login: str) -> User | None:
    """The user whose username or login email is `login`, case-insensitively."""
    key = login.strip().lower()
    return db.session.scalar(
        sa.select(User).where(
            sa.or_(sa.func.lower(User.username) == key, sa.func.lower(User.email) == key)
        )
    )


def check_usable(user: User) -> User:
    """Refuse an account that may not sign in yet."""
    if current_app.config["EMAIL_VERIFICATION_REQUIRED"] and not user.is_verified:
        raise unauthorized("User is not verified")
    return user


def user_from_password(login: str, password: str) -> User:
    """The user these credentials belong to; unknown login and wrong password look alike."""
    user = find_by_login(login)
    if user is None:
        dummy_verify(password)
        raise unauthorized("Incorrect username or password")
    if not verify_password(user.password_hash, password):
        raise unauthorized("Incorrect username or password")
    return check_usable(user)


def user_from_token(token: str, expected_type: str = "access") -> tuple[User, dict]:
    """The user and claims of a valid, unrevoked token of the expected type."""
    try:
        claims = decode_token(token)
    except (pyjwt.PyJWTError, JWTExtendedException) as exc:
        raise unauthorized("Invalid or expired token") from exc
    if claims.get("type") != expected_type:
        raise unauthorized(f"An {expected_type} token is required")
    try:
        user = db.session.get(User, uuid.UUID(hex=claims["sub"]))
    except (KeyError, ValueError, TypeError):
        user = None
    if user is None:
        raise unauthorized("Invalid or expired token")
    issued_at = datetime.fromtimestamp(claims["iat"], UTC)
    if issued_at < user.tokens_valid_after.replace(microsecond=0):
        raise unauthorized("Token has been revoked")
    return check_usable(user), claims


def load_request_user() -> None:
    """before_request: verify whatever credentials the request carries."""
    try:
        credentials = read_credentials()
        if credentials is None:
            return
        if credentials.scheme not in accepted_schemes():
            raise unauthorized("Unsupported authorization scheme")
        if credentials.scheme == "bearer":
            user, _ = user_from_token(credentials.token)
        else:
            user = user_from_password(credentials.login, credentials.password)
        authenticated(user)
    except ApiError as error:
        rejected(error)
