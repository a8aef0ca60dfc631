"""Credentials on the wire: reading `Authorization`, and the 401 every surface answers.

Which credentials are valid is the accounts domain's business: it verifies them once
per request (before rate limiting, which depends on the answer) and records the
outcome with `authenticated()` or `rejected()`. Views then ask `current_user()`.
"""

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request

from .errors import ApiError

BASIC_REALM = 'Basic realm="contacts"'


@dataclass(frozen=True)
class Credentials:
    scheme: str  # "bearer" or "basic"
    token: str = ""
    login: str = ""
    password: str = ""


def accepted_schemes() -> tuple[str, ...]:
    """The schemes of the blueprint serving this request (`/api/`: Bearer; `/1/`: both)."""
    blueprint = current_app.blueprints.get(request.blueprint or "")
    return getattr(blueprint, "auth_schemes", ("bearer",))


def unauthorized(detail: str = "Not authenticated") -> ApiError:
    challenges = ['Bearer realm="contacts"' if s == "bearer" else BASIC_REALM
                  for s in accepted_schemes()]
    headers = {"WWW-Authenticate": ", ".join(challenges)}
    return ApiError(401, "unauthorized", detail, headers=headers)


def read_credentials() -> Credentials | None:
    """The request's credentials, or None when it brings none this surface accepts.

    Raises 401 for a malformed header, so garbage is never mistaken for no credentials.
    """
    return parse_credentials(request.headers.get("Authorization", ""))


def parse_credentials(header: str) -> Credentials | None:
    """The credentials of an `Authorization` header (see `read_credentials`)."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == "bearer" and value:
        return Credentials("bearer", token=value)
    if scheme == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise unauthorized("Malformed Basic credentials") from exc
        login, sep, password = decoded.partition(":")
        if not sep or not login:
            raise unauthorized("Malformed Basic credentials")
        return Credentials("basic", login=login, password=password)
    raise unauthorized("Unsupported authorization scheme")


def authenticated(user_id, load_user: Callable[[], Any]) -> None:
    """Record the caller. `load_user` gives the full user the first time a view asks for it:
    a response served from the cache needs only the id."""
    g.current_user_id = user_id
    g.load_current_user = load_user


def rejected(error: ApiError) -> None:
    g.auth_error = error


def is_authenticated() -> bool:
    return g.get("current_user_id") is not None


def current_user_id():
    """The authenticated user's id, or the 401 that explains why there is none."""
    user_id = g.get("current_user_id")
    if user_id is None:
        raise g.get("auth_error") or unauthorized()
    return user_id


def current_user():
    """The authenticated user, or the 401 that explains why there is none."""
    if "current_user" not in g:
        current_user_id()
        g.current_user = g.load_current_user()
    return g.current_user

