"""Who is calling: Bearer access tokens on both surfaces, HTTP Basic on `/1/`.

Credentials are checked once per request, before rate limiting (whose budget depends on
whether the caller is authenticated). The outcome is recorded for `current_user()`;
an endpoint that needs no user never fails because of bad credentials.
"""

import hmac
import uuid
from collections.abc import Callable, Mapping
from functools import partial
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app, g

from ..database import db, first_row, utcnow
from ..http.auth import (
    Credentials,
    accepted_schemes,
    authenticated,
    read_credentials,
    rejected,
    unauthorized,
)
from ..http.errors import ApiError
from . import credentials_cache, revocations, tokens
from .models import User
from .passwords import dummy_verify, fingerprint, verify_password


class Account(NamedTuple):
    """What authentication reads of a user (see `read_account`)."""

    id: uuid.UUID
    username: str
    email: str
    password_hash: str
    is_verified: bool
    token_generation: int
    revoked: bool  # whether the token's or its login's revocation key is revoked


_ACCOUNT_COLUMNS = (User.id, User.username, User.email, User.password_hash, User.is_verified,
                    User.token_generation)
# Built once: it runs on every authenticated request.
_READ_ACCOUNT = sa.select(
    *_ACCOUNT_COLUMNS,
    revocations.revoked_clause(
        [sa.bindparam("token_key"), sa.bindparam("family_key")], sa.bindparam("now")
    ).label("revoked"),
).where(User.id == sa.bindparam("user_id"))


def read_account(user_id: uuid.UUID, token_key: str | None = None,
                 family_key: str | None = None) -> Account | None:
    """The user's credentials and state, and whether the token's or its login's revocation
    key is revoked.

    Read on an autocommit connection, outside the request's session: one round trip with
    no BEGIN/ROLLBACK around it, no ORM object and only the columns authentication needs,
    so that a response served from the cache costs the database this one lookup. Views
    that need the whole user ask `current_user()`, which loads it in the session.
    """
    return first_row(_READ_ACCOUNT, {"user_id": user_id, "token_key": token_key,
                                     "family_key": family_key, "now": utcnow()}, Account)


def as_user(account: Account | User) -> User:
    """The request session's User for an authenticated account."""
    if isinstance(account, User):
        return account
    user = db.session.get(User, account.id)
    if user is None:  # deleted since the request was authenticated
        raise unauthorized()
    return user


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


def user_from_basic(login: str, password: str) -> Account | User:
    """`user_from_password`, with repeated credentials served from a short-lived cache."""
    cached = credentials_cache.lookup(login, password)
    account = _current_basic(login, cached) if cached is not None else None
    if account is not None:
        return account
    user = user_from_password(login, password)
    credentials_cache.remember(login, password, user)
    return user


def _current_basic(login: str, cached: credentials_cache.Verified) -> Account | None:
    """The account of Basic credentials found in `credentials_cache`, if still valid: the
    login is the account's and its password unchanged since. 401 if it may not sign in."""
    user_id, digest = cached
    account = read_account(user_id)
    key = login.strip().lower()
    if (
        account is not None
        and key in (account.username.lower(), account.email.lower())
        and hmac.compare_digest(fingerprint(account.password_hash), digest)
    ):
        return check_usable(account)
    return None


def user_from_token(token: str, expected_type: str = "access") -> tuple[Account, Mapping]:
    """The account and claims of a valid, unrevoked token of the expected type."""
    claims = tokens.decode(token, expected_type)
    return _token_account(claims), claims


def _token_account(claims: Mapping) -> Account:
    """The account of a genuine token's claims, if the token is current and not revoked."""
    user_id = tokens.user_id(claims)
    account = read_account(user_id, *tokens.revocation_keys(claims)) if user_id else None
    if account is None:
        raise unauthorized("Invalid or expired token")
    tokens.ensure_current(claims, account, account.revoked)
    return check_usable(account)


def claim(credentials: Credentials) -> tuple[uuid.UUID, Callable[[], bool]] | None:
    """The user credentials name, at no database cost, and the check that they authenticate
    that user now, made in the database exactly as for any request (see `http.shortcut`).

    The user is a genuine, unexpired access token's subject, or the user of Basic
    credentials verified recently; None when it cannot be named that cheaply. The check
    never verifies a password.
    """
    try:
        if credentials.scheme == "bearer":
            claims = tokens.decode(credentials.token, "access")
            user_id = tokens.user_id(claims)
            return (user_id, partial(_holds, _token_account, claims)) if user_id else None
        cached = credentials_cache.lookup(credentials.login, credentials.password)
    except ApiError:
        return None
    if cached is None:
        return None
    return cached[0], partial(_holds, _current_basic, credentials.login, cached)


def _holds(check: Callable[..., Account | None], *arguments) -> bool:
    try:
        return check(*arguments) is not None
    except ApiError:
        return False


def current_token_claims() -> Mapping | None:
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
            account, g.token_claims = user_from_token(credentials.token)
        else:
            account = user_from_basic(credentials.login, credentials.password)
        authenticated(account.id, partial(as_user, account))
    except ApiError as error:
        rejected(error)
