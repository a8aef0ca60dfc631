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

import functools
import uuid
from collections.abc import Callable

from flask import Flask
from werkzeug import Request
from werkzeug.exceptions import HTTPException

from .caching import fresh, read_entry, replay, response_key

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
        self._route = functools.lru_cache(maxsize=4096)(self._match)

    def __call__(self, environ, start_response):
        header = environ.get("HTTP_AUTHORIZATION", "")
        if environ["REQUEST_METHOD"] == "GET" and header[:7].lower() == BEARER:
            answer = self._hit(environ, header[7:].strip())
            if answer is not None:
                return answer(environ, start_response)
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
                generations, stored = read_entry((user_id.hex, *scopes),
                                                 response_key(user_id, environ))
                hit = fresh(stored, generations)
                if hit is None or self.authenticate(token) != user_id:
                    return None
            except Exception:  # noqa: BLE001 - the full path reports what failed
                return None
        if "HTTP_IF_NONE_MATCH" in environ:
            return replay(hit, Request(environ), self.app.response_class)
        return _unconditional(*hit)

    def _scopes(self, environ) -> tuple[str, ...] | None:
        """The shared scopes of the cached view the request is routed to, if the shortcut
        may answer it."""
        endpoint = self._route(environ.get("PATH_INFO", ""))
        view = self.app.view_functions.get(endpoint)
        if view is None or self.rate_limited(view):
            return None
        return getattr(view, "shortcut_scopes", None)

    def _match(self, path: str) -> str | None:
        """The endpoint of a GET to `path`. Routes depend on the path alone here (no host
        or subdomain matching), and matching cost a tenth of a hit: `_route` remembers."""
        try:
            endpoint, _ = self.app.url_map.bind("localhost").match(path, method="GET")
        except HTTPException:  # no route, another method, or a redirect
            return None
        return endpoint


def _unconditional(body: bytes, headers: list, etag: str):
    """`replay` of a request without `If-None-Match`, as a plain WSGI application: building
    a Response object for stored bytes and headers cost a tenth of a hit."""

    def respond(environ, start_response):
        start_response("200 OK", [*headers, ("X-Cache", "HIT"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return respond
