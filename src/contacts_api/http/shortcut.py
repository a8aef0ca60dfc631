"""The cached-read shortcut: a cached GET answered before the app's request machinery runs.

A hit of `caching.cached` is stored bytes, yet on the full path it first costs what every
request costs: the request context, the hooks (NUL check, credentials, rate limiter),
routing through flask-smorest's and webargs' wrappers, and the teardown. That was 0.5 ms
of CPU per hit, half of what the hit itself needs (measured, `docs/performance.md`).
This WSGI middleware answers a hit with the same round trips and the same checks, and
hands everything else to the app untouched:

1. only `GET` with a Bearer token, to a route whose view is cached per caller
   (`shortcut_scopes`, set by `cached`) and has no per-user rate limit;
2. the key from the user id the token claims (its signature and expiry checked), and
   the entry with the generations it needs in one MGET: a miss costs no database read;
3. on a hit, the account and the token's revocation are checked in the database exactly
   as on the full path (`authenticate`); any doubt falls through to the app, which then
   answers the 401, or reports the failing cache or database, in its usual way.
"""

import uuid
from collections.abc import Callable

from flask import Flask
from werkzeug import Request
from werkzeug.exceptions import HTTPException

from .caching import read_entry, response_key, stored_response

BEARER = "bearer "


class CachedReads:
    """WSGI middleware in front of `app`'s own WSGI callable (see the module docstring).

    `claimant(token)` is the user id a genuine, unexpired access token names, or None;
    `authenticate(token)` is the id of the user it authenticates now (account current,
    token not revoked), or None; `rate_limited(view)` tells views with a per-user budget.
    """

    def __init__(self, app: Flask, wsgi_app, claimant: Callable[[str], uuid.UUID | None],
                 authenticate: Callable[[str], uuid.UUID | None],
                 rate_limited: Callable[[Callable], bool]):
        self.app = app
        self.wsgi_app = wsgi_app
        self.claimant = claimant
        self.authenticate = authenticate
        self.rate_limited = rate_limited

    def __call__(self, environ, start_response):
        header = environ.get("HTTP_AUTHORIZATION", "")
        if environ["REQUEST_METHOD"] == "GET" and header[:7].lower() == BEARER:
            response = self._hit(environ, header[7:].strip())
            if response is not None:
                return response(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _hit(self, environ, token: str):
        scopes = self._scopes(environ)
        if scopes is None:
            return None
        with self.app.app_context():
            try:
                user_id = self.claimant(token)
                if user_id is None:
                    return None
                incoming = Request(environ)
                generations, stored = read_entry((user_id.hex, *scopes),
                                                 response_key(user_id, incoming))
                response = stored_response(stored, generations, incoming,
                                           self.app.response_class)
                if response is None or self.authenticate(token) != user_id:
                    return None
            except Exception:  # noqa: BLE001 - the full path reports what failed
                return None
        return response

    def _scopes(self, environ) -> tuple[str, ...] | None:
        """The shared scopes of the cached view the request is routed to, if the shortcut
        may answer it."""
        try:
            endpoint, _ = self.app.url_map.bind_to_environ(environ).match(method="GET")
        except HTTPException:  # no route, another method, or a redirect
            return None
        view = self.app.view_functions.get(endpoint)
        if view is None or self.rate_limited(view):
            return None
        return getattr(view, "shortcut_scopes", None)
