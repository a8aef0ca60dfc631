"""Revoked token ids and families: in Redis when configured, in the database otherwise.

Either way every worker and host sees a revocation at once; nothing lives only in one
process. An entry is kept only as long as the tokens it kills could still be valid.
"""

from datetime import timedelta

import redis
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..database import db, utcnow
from ..extensions import redis_store
from ..http.errors import ApiError
from .models import RevokedToken

REDIS_PREFIX = "revoked:"


def _unavailable(exc: Exception) -> ApiError:
    current_app.logger.warning("token revocation store unavailable: %s", exc)
    return ApiError(503, "unavailable", "Token revocation store unavailable")


def revoke(key: str, ttl: timedelta) -> bool:
    """Record `key` as revoked for `ttl`; False when it already was (first caller wins).

    Atomic on both backends, so two concurrent uses of one refresh token cannot both
    see themselves as the first.
    """
    seconds = max(int(ttl.total_seconds()) + 1, 1)
    client = redis_store.client
    if client is not None:
        try:
            return bool(client.set(REDIS_PREFIX + key, 1, nx=True, ex=seconds))
        except redis.RedisError as exc:
            raise _unavailable(exc) from exc
    now = utcnow()
    db.session.execute(sa.delete(RevokedToken).where(RevokedToken.expires_at < now))
    db.session.add(RevokedToken(key=key, expires_at=now + timedelta(seconds=seconds)))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def any_revoked(keys: list[str]) -> bool:
    """True when any of `keys` is currently revoked."""
    client = redis_store.client
    if client is not None:
        try:
            return client.exists(*(REDIS_PREFIX + key for key in keys)) > 0
        except redis.RedisError as exc:
            raise _unavailable(exc) from exc
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(RevokedToken.key.in_(keys), RevokedToken.expires_at > utcnow())
            )
        )
    )
