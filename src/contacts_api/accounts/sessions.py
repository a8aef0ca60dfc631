"""Logins as token families: log in, rotate the refresh token, log out."""

from collections.abc import Mapping

from ..http.auth import unauthorized
from ..http.errors import ApiError
from . import tokens
from .auth import user_from_password, user_from_token
from .models import User


def login(login: str, password: str) -> tokens.TokenPair:
    """A new token family for these credentials; 401 for wrong or unverified ones."""
    return tokens.issue_pair(user_from_password(login, password))


def refresh(refresh_token: str) -> tokens.TokenPair:
    """Exchange a refresh token for a new pair of the same family.

    Each refresh token works once. Presenting one again (or one revoked by logout) means
    that it leaked: the whole family is revoked, so whoever holds its newest tokens, the
    legitimate client or the thief, has to log in again.
    """
    claims = tokens.decode(refresh_token, "refresh")
    try:
        user, _ = user_from_token(refresh_token, "refresh")
    except ApiError:
        # A revoked or replayed refresh token burns its whole family.
        tokens.revoke_family(claims)
        raise
    if not tokens.revoke_token(claims):
        # Used by a concurrent request an instant ago: the same replay, the same answer.
        tokens.revoke_family(claims)
        raise unauthorized("Token has been revoked")
    return tokens.issue_pair(user, claims.get(tokens.FAMILY))


def logout(user: User, access_claims: Mapping, refresh_token: str | None = None) -> None:
    """End the login the access token belongs to, and the given refresh token's.

    The access token, and every token of its family, stop working at once. An expired
    refresh token is accepted (its family may still hold live access tokens).
    """
    refresh_claims = None
    if refresh_token:
        refresh_claims = tokens.decode(refresh_token, "refresh", allow_expired=True)
        if tokens.user_id(refresh_claims) != user.id:
            raise unauthorized("Invalid refresh token")
    for claims in filter(None, (access_claims, refresh_claims)):
        tokens.revoke_token(claims)
        tokens.revoke_family(claims)
