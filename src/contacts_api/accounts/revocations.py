"""Revoked token ids and families, kept in the database on every deployment.

The database is shared by every worker and host, so a revocation is seen everywhere at
once, and it is the one store whose loss stops the service anyway. Keeping revocations
in Redis instead would leave two bad choices during a Redis outage: refuse every token,
or accept revoked ones. The check is one primary-key lookup; an entry is kept only as
long as the tokens it kills could still be valid.
"""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..database import db, utcnow
from .models import RevokedToken


def revoke(key: str, ttl: timedelta) -> bool:
    """Record `key` as revoked for `ttl`; False when it already was (first caller wins).

    The primary key makes this atomic, so two concurrent uses of one refresh token
    cannot both see themselves as the first.
    """
    now = utcnow()
    db.session.execute(sa.delete(RevokedToken).where(RevokedToken.expires_at < now))
    db.session.add(RevokedToken(key=key, expires_at=now + ttl + timedelta(seconds=1)))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def revoked_clause(keys, now) -> sa.Exists:
    """An SQL boolean: is any of `keys` revoked at `now` (to select along with other data).

    Both are SQL expressions (bound parameters), so that a statement using it can be
    built once.
    """
    return sa.exists().where(RevokedToken.key.in_(keys), RevokedToken.expires_at > now)

