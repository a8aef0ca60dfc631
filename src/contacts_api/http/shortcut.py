"""The cached-read shortcut: a cached GET answered before the app's request machinery runs.

A hit of `caching.cached` is stored bytes, yet on the full path it first costs what every
request costs: the request context, the hooks (NUL check, credentials, rate limiter),
routing through flask-smorest's and webargs' wrappers, and the teardown: about 0.5 ms
of CPU per hit, a third of its cost (measured, `docs/performance.md`).
This WSGI middleware answers a hit with the same round trips and the same checks, and
hands everything else to the app untouched:

1. only `GET` with credentials the route's surface accepts, to a view cached per caller
   (`shortcut_scopes`, set by `cached`) that has no per-user rate limit;
2. the key from the user id the credentials claim (a token's subject, its signature and
   expiry checked; the user of recently verified Basic credentials), and the entry with
   the generations it needs in one MGET: a miss costs no database read, and the app's
   `cached` view uses that read instead of making its own;
3. on a hit, the account, and the token's revocation or the password's fingerprint, are
   checked in the database exactly as on the full path (`claim`'s check); any doubt falls
   through to the app, which then answers the 401, verifies a password, or reports the
   failing cache or database, in its usual way.
"""

import functools
import uuid
from collections.abc import Callable

from flask import Flask
from werkzeug import Request
from werkzeug.exceptions import HTTPException

from .auth import Credentials, parse_credentials
from .caching import fresh, read_entry, replay, response_key


class CachedReads:
    """WSGI middleware in front of `app`'s own WSGI callable (see the module docstring).

    `claim(credentials)` is the user id credentials claim, with the check (in the database)
    that they authenticate that user now; None when the user cannot be named without the
    database. `rate_limited(view)` tells views with a per-user budget.
    """

    def __init__(self, app: Flask, wsgi_app,
                 claim: Callable[[Credentials], tuple[uuid.UUID, Callable[[], bool]] | None],
                 rate_limited: Callable[[Callable], bool]):
        self.app = app
        self.wsgi_app = wsgi_app
        self.claim = claim
        self.rate_limited = rate_limited
        self._route = functools.lru_cache(maxsize=4096)(self._match)

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "GET" and "HTTP_AUTHORIZATION" in environ:
            answer = self._hit(environ)
            if answer is not None:
                return answer(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _hit(self, environ):
        route = self._route(environ.get("PATH_INFO", ""))
        if route is None:
            return None
        scopes, schemes = route
        with self.app.app_context():
            try:
                credentials = parse_credentials(environ["HTTP_AUTHORIZATION"])
                if credentials is None or credentials.scheme not in schemes:
                    return None
                claimed = self.claim(credentials)
                if claimed is None:
                    return None
                user_id, holds = claimed
                generations, stored = read_entry((user_id.hex, *scopes),
                                                 response_key(user_id, environ), environ)
                hit = fresh(stored, generations)
                if hit is None or not holds():
                    return None
            except Exception:  # noqa: BLE001 - the full path reports what failed
                return None
        if "HTTP_IF_NONE_MATCH" in environ:
            return replay(hit, Request(environ), self.app.response_class)
        return _unconditional(*hit)

    def _match(self, path: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """The shared scopes of the cached view a GET to `path` is routed to, and the
        credential schemes its surface accepts; None when the shortcut may not answer it.

        Routes depend on the path alone here (no host or subdomain matching), and matching
        cost a tenth of a hit: `_route` remembers the answers.
        """
        try:
            endpoint, _ = self.app.url_map.bind("localhost").match(path, method="GET")
        except HTTPException:  # no route, another method, or a redirect
            return None
        view = self.app.view_functions.get(endpoint)
        scopes = getattr(view, "shortcut_scopes", None)
        if scopes is None or self.rate_limited(view):
            return None
        blueprint = self.app.blueprints.get(endpoint.rpartition(".")[0])
        return scopes, getattr(blueprint, "auth_schemes", ("bearer",))


def _unconditional(body: bytes, headers: list, etag: str):
    """`replay` of a request without `If-None-Match`, as a plain WSGI application: building
    a Response object for stored bytes and headers cost a tenth of a hit."""

    def respond(environ, start_response):
        start_response("200 OK", [*headers, ("X-Cache", "HIT"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return respond
