"""Signed, expiring links sent by email: address verification and password reset."""

import uuid

from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..mailer import send_message

VERIFY_SALT = "verify-email"


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


def send_verification_email(user) -> None:
    token = make_token(VERIFY_SALT, {"uid": user.id.hex, "email": user.email.lower()})
    link = public_url(f"/api/auth/confirmed_email/{token}")
    hours = current_app.config["VERIFICATION_TOKEN_SECONDS"] // 3600
    send_message(
        user.email,
        "Confirm your email address",
        f"Hello {user.username},\n\nConfirm your email address by opening this link:\n\n"
        f"{link}\n\nThe link works for {hours} hours.\n",
    )


def verified_user_id(token: str) -> tuple[uuid.UUID, str] | None:
    """(user id, email) from a valid verification token, or None."""
    payload = read_token(VERIFY_SALT, token, current_app.config["VERIFICATION_TOKEN_SECONDS"])
    try:
        return uuid.UUID(hex=payload["uid"]), payload["email"]
    except (TypeError, KeyError, ValueError):
        return None
