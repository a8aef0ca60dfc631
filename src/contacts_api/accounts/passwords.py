"""Password hashing with argon2id, a slow, memory-hard KDF."""

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"]
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; a malformed stored hash never matches."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified against when the login names no account, so that an unknown login costs the
# same time as a wrong password and the two cannot be told apart.
def dummy_verify(password: str) -> None:
    verify_password(_dummy_hash(), password)


def _dummy_hash() -> str:
    cached = current_app.extensions.get("argon2_dummy_hash")
    if cached is None:
        cached = current_app.extensions["argon2_dummy_hash"] = hash_password("not a password")
    return cached


def fingerprint(password_hash: str) -> str:
    """A keyed digest of the stored hash: changes whenever the password does.

    Reset links and cached Basic credentials carry it, so both die with a password change
    without storing (or revealing) the hash itself.
    """
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:32]
