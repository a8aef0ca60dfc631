"""Who is calling: Bearer access tokens on both surfaces, HTTP Basic on `/1/`.

Credentials are checked once per request, before rate limiting (whose budget depends on
whether the caller is authenticated). The outcome is recorded for `current_user()`;
an endpoint that needs no user never fails because of bad credentials.
"""

import hmac

import sqlalchemy as sa
from flask import current_app, g

from ..database import db
from ..http.auth import accepted_schemes, authenticated, read_credentials, rejected, unauthorized
from ..http.errors import ApiError
from . import credentials_cache, revocations, tokens
from .models import User
from .passwords import dummy_verify, fingerprint, verify_password


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


def user_from_basic(login: str, password: str) -> User:
    """`user_from_password`, with repeated credentials served from a short-lived cache."""
    cached = credentials_cache.lookup(login, password)
    if cached is not None:
        user_id, digest = cached
        user = db.session.get(User, user_id)
        key = login.strip().lower()
        if (
            user is not None
            and key in (user.username.lower(), user.email.lower())
            and hmac.compare_digest(fingerprint(user.password_hash), digest)
        ):
            return check_usable(user)
    user = user_from_password(login, password)
    credentials_cache.remember(login, password, user)
    return user


def user_from_token(token: str, expected_type: str = "access") -> tuple[User, dict]:
    """The user and claims of a valid, unrevoked token of the expected type."""
    claims = tokens.decode(token, expected_type)
    user_id = tokens.user_id(claims)
    row = None
    if user_id:
        # The user and the revocation check in one round trip: this runs on every request.
        revoked = revocations.revoked_clause(tokens.revocation_keys(claims))
        row = db.session.execute(sa.select(User, revoked).where(User.id == user_id)).first()
    if row is None:
        raise unauthorized("Invalid or expired token")
    user, is_revoked = row
    tokens.ensure_current(claims, user, is_revoked)
    return check_usable(user), claims


def current_token_claims() -> dict | None:
    """The claims of the access token that authenticated this request, if one did."""
    return g.get("token_claims")


def load_request_user() -> None:
    """before_request: verify whatever credentials the request carries."""
    try:
        credentials = read_credentials()
        if credentials is None:
            return
        if credentials.scheme not in accepted_schemes():
            raise unauthorized("Unsupported authorization scheme")
        if credentials.scheme == "bearer":
            user, g.token_claims = user_from_token(credentials.token)
        else:
            user = user_from_basic(credentials.login, credentials.password)
        authenticated(user)
    except ApiError as error:
        rejected(error)
