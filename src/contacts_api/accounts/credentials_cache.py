"""A short-lived cache of verified HTTP Basic credentials.

`/1/` clients send their password with every request; without this, each one would pay
for a full argon2 computation. The cache key is an HMAC (keyed with `SECRET_KEY`) of the
login and password, so neither is ever stored. The value is the user's id and the
fingerprint of the password hash the password was verified against: a hit counts only
while the user's current hash still has that fingerprint, so a password change made on
any worker invalidates every entry everywhere without a shared invalidation step.

Each process keeps the entries it uses; with Redis configured, they are shared through
it too. A request looks in its process first: reading Redis on every Basic request cost
~140 µs of CPU more than a Bearer token (measured in-process). Redis is read on a local
miss, so that a worker which has not seen a client yet does not verify its password again
(tens of milliseconds, while the client's other requests queue behind it). A worker keeps
an entry it found in Redis for `BASIC_AUTH_CACHE_SECONDS` from then on: safe, because
every hit is checked against the database.
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
MAX_ENTRIES = 10_000

#: What a hit yields: the user's id and the fingerprint of the hash that was checked.
Verified = tuple[uuid.UUID, str]


class _Entries:
    """Verified credentials by key, each until its expiry; bounded by MAX_ENTRIES."""

    def __init__(self):
        self._entries: dict[str, tuple[float, Verified]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Verified | None:
        with self._lock:
            expires, value = self._entries.get(key, (0.0, None))
            if expires < time.monotonic():
                self._entries.pop(key, None)
                return None
            return value

    def set(self, key: str, value: Verified, ttl: int) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                now = time.monotonic()
                self._entries = {k: v for k, v in self._entries.items() if v[0] >= now}
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
            self._entries[key] = (time.monotonic() + ttl, value)


def _key(login: str, password: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    message = login.strip().lower().encode() + b"\x00" + password.encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _entries() -> _Entries:
    return current_app.extensions.setdefault("basic_auth_cache", _Entries())


def lookup(login: str, password: str) -> Verified | None:
    """(user id, password-hash fingerprint) cached for these credentials, or None."""
    key = _key(login, password)
    found = _entries().get(key)
    if found is None and redis_store.client is not None:
        found = _shared(key)
        if found is not None:
            _entries().set(key, found, current_app.config["BASIC_AUTH_CACHE_SECONDS"])
    return found


def remember(login: str, password: str, user) -> None:
    """Cache that these credentials were verified for `user`."""
    key, verified = _key(login, password), (user.id, fingerprint(user.password_hash))
    ttl = current_app.config["BASIC_AUTH_CACHE_SECONDS"]
    _entries().set(key, verified, ttl)
    if redis_store.client is not None:
        try:
            redis_store.client.set(REDIS_PREFIX + key, f"{verified[0].hex}:{verified[1]}", ex=ttl)
        except redis.RedisError as exc:
            current_app.logger.warning("basic auth cache unavailable: %s", exc)


def _shared(key: str) -> Verified | None:
    """The entry another process stored in Redis, if any (None when Redis fails)."""
    try:
        raw = redis_store.client.get(REDIS_PREFIX + key)
    except redis.RedisError as exc:
        current_app.logger.warning("basic auth cache unavailable: %s", exc)
        return None
    user_id, _, digest = (raw or b"").decode().partition(":")
    try:
        return uuid.UUID(hex=user_id), digest
    except ValueError:
        return None
