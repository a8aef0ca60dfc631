"""Access and refresh JWTs: what they carry, and when they stop working.

Every token of one login shares a family id (`fam`): the refresh tokens that rotation
hands out and the access tokens issued alongside them. Revoking the family ends the
login everywhere. Every token also carries the user's token generation (`gen`); a
password change bumps it, which kills every earlier token at once.
"""

import functools
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import jwt as pyjwt
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token
from flask_jwt_extended.config import config as jwt_config

from ..http.auth import unauthorized
from . import revocations

FAMILY = "fam"
GENERATION = "gen"
REQUIRED = {"access": "An access token is required", "refresh": "A refresh token is required"}


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth 2 token type, not a secret)


def issue_pair(user, family: str | None = None) -> TokenPair:
    """A new access and refresh token for `user`, in `family` or a new one."""
    claims = {FAMILY: family or uuid.uuid4().hex, GENERATION: user.token_generation}
    identity = user.id.hex
    return TokenPair(
        access_token=create_access_token(identity, additional_claims=claims),
        refresh_token=create_refresh_token(identity, additional_claims=claims),
    )


def decode(token: str, expected_type: str, *, allow_expired: bool = False) -> Mapping:
    """The claims of a genuine, unexpired token of `expected_type`; 401 otherwise."""
    try:
        claims = _verified(token, jwt_config.decode_key, tuple(jwt_config.decode_algorithms))
    except pyjwt.PyJWTError as exc:
        raise unauthorized("Invalid or expired token") from exc
    if not allow_expired and _expired(claims):
        raise unauthorized("Invalid or expired token")
    if claims.get("type") != expected_type:
        raise unauthorized(REQUIRED[expected_type])
    if not isinstance(claims.get("jti"), str):
        raise unauthorized("Invalid or expired token")
    return claims


@functools.lru_cache(maxsize=1024)
def _verified(token: str, key: str, algorithms: tuple[str, ...]) -> Mapping:
    """The token's claims, its signature and their shape checked once per token and key.

    A client sends the same access token with every request until it expires, and PyJWT's
    parsing was a tenth of a cached response's cost. The result depends only on the
    arguments, so it is kept (read-only); expiry depends on the time, so `decode` checks
    it on every use. Verified with PyJWT directly, with the key, algorithms and leeway
    flask-jwt-extended signs with: its `decode_token` parses every token three times.
    """
    claims = pyjwt.decode(token, key, algorithms=list(algorithms), leeway=jwt_config.leeway,
                          options={"verify_exp": False, "require": ["sub"]})
    if "exp" in claims and not isinstance(claims["exp"], int | float):
        raise pyjwt.InvalidTokenError("exp must be a number")
    return MappingProxyType(claims)


def _expired(claims: Mapping) -> bool:
    """PyJWT's own rule: expired once `exp` is at or before now minus the leeway."""
    return "exp" in claims and claims["exp"] <= time.time() - jwt_config.leeway


def user_id(claims: Mapping) -> uuid.UUID | None:
    try:
        return uuid.UUID(hex=claims["sub"])
    except (KeyError, ValueError, TypeError, AttributeError):
        return None


def revocation_keys(claims: Mapping) -> tuple[str, str | None]:
    """The keys under which this token, and the login it belongs to, would be revoked."""
    family = claims.get(FAMILY)
    return f"jti:{claims['jti']}", f"fam:{family}" if isinstance(family, str) else None


def ensure_current(claims: Mapping, user, revoked: bool) -> None:
    """401 unless the token is of the user's current generation and not `revoked`.

    `revoked` is whether a key of `revocation_keys(claims)` is revoked, read by the caller
    in the same query as the user row (one round trip per authenticated request).
    """
    # Tokens without the claim predate any password change, i.e. generation 0.
    if claims.get(GENERATION, 0) != user.token_generation or revoked:
        raise unauthorized("Token has been revoked")


def _remaining(claims: Mapping) -> timedelta:
    """How long the token stays valid; a token without expiry is kept like a refresh token."""
    if not isinstance(claims.get("exp"), int | float):
        return current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
    return datetime.fromtimestamp(claims["exp"], UTC) - datetime.now(UTC)


def revoke_token(claims: Mapping) -> bool:
    """Revoke this one token until it expires; False when it already was revoked."""
    return revocations.revoke(f"jti:{claims['jti']}", _remaining(claims))


def revoke_family(claims: Mapping) -> None:
    """Revoke every token of the login `claims` belongs to.

    A family's newest refresh token expires at most one refresh lifetime from now, so
    the entry is kept that long.
    """
    family = claims.get(FAMILY)
    if isinstance(family, str):
        revocations.revoke(f"fam:{family}", current_app.config["JWT_REFRESH_TOKEN_EXPIRES"])
