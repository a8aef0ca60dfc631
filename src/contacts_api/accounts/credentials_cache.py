"""A short-lived cache of verified HTTP Basic credentials.

`/1/` clients send their password with every request; without this, each one would pay
for a full argon2 computation. The cache key is an HMAC (keyed with `SECRET_KEY`) of the
login and password, so neither is ever stored. The value is the user's id and the
fingerprint of the password hash the password was verified against: a hit counts only
while the user's current hash still has that fingerprint, so a password change made on
any worker invalidates every entry everywhere without a shared invalidation step.

Entries live in the process, also when Redis is configured. Every hit is checked against
the database anyway, so sharing them between workers would only spare each worker its own
first verification of a client every `BASIC_AUTH_CACHE_SECONDS`; in Redis, every Basic
request paid a round trip for them (~140 µs of CPU per request, measured in-process).
"""

import hashlib
import hmac
import threading
import time
import uuid

from flask import current_app

from .passwords import fingerprint

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
    return _entries().get(_key(login, password))


def remember(login: str, password: str, user) -> None:
    """Cache that these credentials were verified for `user`."""
    _entries().set(_key(login, password), (user.id, fingerprint(user.password_hash)),
                   current_app.config["BASIC_AUTH_CACHE_SECONDS"])
