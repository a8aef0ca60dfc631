"""Rate limits (API.md §1), all in one place.

- Any request without valid credentials: `RATELIMIT_UNAUTHENTICATED` per client IP, one
  budget shared by every endpoint (unknown paths included).
- `GET /api/users/me`: `RATELIMIT_ME` per authenticated user.
- Authenticated requests to anything else: no limit. They skip the limiter altogether
  (`is_unlimited`), which would otherwise resolve and evaluate the limits of every
  request only to find none that applies.

Who is authenticated is known before the limiter runs: the credential loader is
registered as an earlier `before_request` hook. The client IP is `request.remote_addr`,
which ProxyFix rewrites from `X-Forwarded-For` only for `TRUSTED_PROXIES` hops.
"""

from flask import Response, current_app, request
from flask_limiter import ApplicationLimit, Limiter
from flask_limiter.util import get_remote_address

from .http.auth import current_user_id, is_authenticated


def unauthenticated_limit() -> str:
    return current_app.config["RATELIMIT_UNAUTHENTICATED"]


def me_limit() -> str:
    return current_app.config["RATELIMIT_ME"]


def user_key() -> str:
    return f"user:{current_user_id().hex}"


def is_anonymous() -> bool:
    return not is_authenticated()


limiter = Limiter(
    key_func=get_remote_address,
    application_limits=[
        ApplicationLimit(limit_provider=unauthenticated_limit, exempt_when=is_authenticated)
    ],
    # Requests that match no route count too; Flask-Limiter skips them by default.
    request_identifier=lambda: request.endpoint or "unrouted",
)

_per_user_limit = limiter.limit(me_limit, key_func=user_key, exempt_when=is_anonymous)


def limit_me(view):
    """`@limit_me`: the per-user budget of `GET /api/users/me`."""
    limited = _per_user_limit(view)
    limited.per_user_limit = True
    return limited


def has_per_user_limit(view) -> bool:
    return getattr(view, "per_user_limit", False)


@limiter.request_filter
def is_unlimited() -> bool:
    """An authenticated request to a view without a per-user budget has no limit at all."""
    view = current_app.view_functions.get(request.endpoint or "")
    return is_authenticated() and not has_per_user_limit(view)


def drop_stray_retry_after(response: Response) -> Response:
    """after_request: Flask-Limiter adds `Retry-After` to every limited response; it only
    means something on a 429. Registered before the limiter so that it runs after it."""
    if response.status_code != 429:
        response.headers.pop("Retry-After", None)
    return response
