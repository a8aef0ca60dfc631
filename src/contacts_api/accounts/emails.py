"""Signed, expiring links sent by email: address verification and password reset."""

import uuid
from typing import NamedTuple

from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..mailer import send_message
from .passwords import fingerprint

VERIFY_SALT = "verify-email"
RESET_SALT = "reset-password"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def public_url(path: str) -> str:
    """An absolute URL on `PUBLIC_BASE_URL`, or on the host the request came to."""
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")
    return f"{base}{path}"


def make_token(salt: str, payload: dict) -> str:
    return _serializer(salt).dumps(payload)


def read_token(salt: str, token: str, max_age: int) -> dict | None:
    """The payload of a genuine, unexpired token; None for anything else."""
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    return payload if isinstance(payload, dict) else None


class VerificationClaims(NamedTuple):
    user_id: uuid.UUID
    email: str
    #: True for an address the user asked to add to the account (`PUT /1/you add_email`).
    addition: bool


def _send_confirmation(user, address: str, addition: bool) -> None:
    payload = {"uid": user.id.hex, "email": address.lower()}
    if addition:
        payload["add"] = 1
    link = public_url(f"/api/auth/confirmed_email/{make_token(VERIFY_SALT, payload)}")
    hours = current_app.config["VERIFICATION_TOKEN_SECONDS"] // 3600
    purpose = "add this address to your account" if addition else "confirm your email address"
    send_message(
        address,
        "Confirm your email address",
        f"Hello {user.username},\n\nTo {purpose}, open this link:\n\n"
        f"{link}\n\nThe link works for {hours} hours.\n",
    )


def send_verification_email(user) -> None:
    _send_confirmation(user, user.email, addition=False)


def send_address_confirmation(user, address: str) -> None:
    """Ask the owner of `address` to confirm it; it joins the account only then.

    Until confirmed, an added address neither finds its claimant nor turns invites to
    it into requests: typing someone else's address must not capture their invites.
    """
    _send_confirmation(user, address, addition=True)


def verification_claims(token: str) -> VerificationClaims | None:
    """The claims of a valid verification token, or None."""
    payload = read_token(VERIFY_SALT, token, current_app.config["VERIFICATION_TOKEN_SECONDS"])
    try:
        return VerificationClaims(
            uuid.UUID(hex=payload["uid"]), payload["email"], bool(payload.get("add"))
        )
    except (TypeError, KeyError, ValueError, AttributeError):
        return None


def send_reset_email(user) -> None:
    """Mail a single-use reset token, bound to the current password hash.

    Setting any password changes the hash (argon2 salts every hash), so the token dies
    with its first use and with any other password change.
    """
    token = make_token(RESET_SALT, {"uid": user.id.hex, "pw": fingerprint(user.password_hash)})
    endpoint = public_url("/api/auth/set-password")
    minutes = current_app.config["RESET_TOKEN_SECONDS"] // 60
    send_message(
        user.email,
        "Reset your password",
        f"Hello {user.username},\n\nSomeone asked to reset the password of your account. "
        f"If it was you, send this token with your new password (fields token, password and "
        f"confirm_password) to {endpoint}:\n\n{token}\n\nThe token works once, for "
        f"{minutes} minutes. If you did not ask for it, ignore this message.\n",
    )


def reset_claims(token: str) -> tuple[uuid.UUID, str] | None:
    """(user id, password fingerprint) from a valid reset token, or None."""
    payload = read_token(RESET_SALT, token, current_app.config["RESET_TOKEN_SECONDS"])
    try:
        return uuid.UUID(hex=payload["uid"]), str(payload["pw"])
    except (TypeError, KeyError, ValueError):
        return None
