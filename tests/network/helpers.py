"""Assertion helpers for the network tests."""

import base64
import re

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
T = "<timestamp>"
PASSWORD = "correct horse battery"  # every `make_user` account's


def shape(value):
    """The JSON with every ISO 8601 UTC timestamp replaced by `T`, for whole-body asserts."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    if isinstance(value, str) and TIMESTAMP.match(value):
        return T
    return value


def public(user, **extra):
    """What a stranger sees of a fixture user."""
    body = {"id": user.id.hex, "first_name": user.first_name, "last_name": user.last_name,
            "updated": T}
    for name in ("organization", "title"):
        if getattr(user, name):
            body[name] = getattr(user, name)
    return body | extra


ALICE_PROTECTED = {"home_email": "alice.home@example.org", "home_mobile": "+1 (212) 555-2355"}


def basic(login, password=PASSWORD):
    """HTTP Basic headers (the password of every `make_user` account by default)."""
    raw = base64.b64encode(f"{login}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}
