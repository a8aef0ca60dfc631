"""A short-lived cache of verified HTTP Basic credentials.

`/1/` clients send their password with every request; without this, each one would pay
for a full argon2 computation. The cache key is an HMAC (keyed with `SECRET_KEY`) of the
login and password, so neither is ever stored. The value is the user's id and the
fingerprint of the password hash the password was verified against: a hit counts only
while the user's current hash still has that fingerprint, so a password change made on
any worker invalidates every entry everywhere without a shared invalidation step.

Entries live in Redis when it is configured, in the process otherwise; both are safe
because every hit is checked against the database.
"""

import hashlib
import hmac
import threading
import time
import uuid

import redis
from flask import current_app

from ..extensions import redis_store
from .passwords import fingerprint

REDIS_PREFIX = "basic-auth:"
LOCAL_MAX_ENTRIES = 10_000


class _LocalCache:
    def __init__(self):
        self._entries: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            expires, value = self._entries.get(key, (0.0, ""))
            if expires < time.monotonic():
                self._entries.pop(key, None)
                return None
            return value

    def set(self, key: str, value: str, ttl: int) -> None:
        with self._lock:
            if len(self._entries) >= LOCAL_MAX_ENTRIES:
                now = time.monotonic()
                self._entries = {k: v for k, v in self._entries.items() if v[0] >= now}
                if len(self._entries) >= LOCAL_MAX_ENTRIES:
                    self._entries.clear()
            self._entries[key] = (time.monotonic() + ttl, value)


def _key(login: str, password: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    message = login.strip().lower().encode() + b"\x00" + password.encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _local() -> _LocalCache:
    return current_app.extensions.setdefault("basic_auth_cache", _LocalCache())


def lookup(login: str, password: str) -> tuple[uuid.UUID, str] | None:
    """(user id, password-hash fingerprint) cached for these credentials, or None."""
    key = _key(login, password)
    client = redis_store.client
    if client is not None:
        try:
            raw = client.get(REDIS_PREFIX + key)
        except redis.RedisError as exc:
            current_app.logger.warning("basic auth cache unavailable: %s", exc)
            return None
        value = raw.decode() if raw else None
    else:
        value = _local().get(key)
    if not value:
        return None
    user_id, _, digest = value.partition(":")
    try:
        return uuid.UUID(hex=user_id), digest
    except ValueError:
        return None


def remember(login: str, password: str, user) -> None:
    """Cache that these credentials were verified for `user`."""
    key = _key(login, password)
    value = f"{user.id.hex}:{fingerprint(user.password_hash)}"
    ttl = current_app.config["BASIC_AUTH_CACHE_SECONDS"]
    client = redis_store.client
    if client is None:
        _local().set(key, value, ttl)
        return
    try:
        client.set(REDIS_PREFIX + key, value, ex=ttl)
    except redis.RedisError as exc:
        current_app.logger.warning("basic auth cache unavailable: %s", exc)
