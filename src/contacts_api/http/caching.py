"""Per-user response caching for GET views (API.md §1 "Caching").

    @blp.route("/")
    @blp.login_required
    @blp.cached(timeout=10)
    @blp.response(200, ContactSchema(many=True))
    def list_contacts(): ...

A cached entry is the final response (body bytes and headers) of one user's GET,
keyed on that user's id and the request's URL (`response_key`; `pretty` included, since
it changes the bytes), and stamped with the user's cache *generation*
at the time it was computed. An entry counts only while its stamp is the user's current
generation; `invalidate_user()` gives the user a new generation, so every cached read of
that user dies at once and the next read sees the write. Generations are random tokens
rather than counters: if one expires or Redis evicts it, the next read draws a fresh
token instead of reviving old entries. A `/1/` entry is stamped with the network's
generation too (`invalidate_network()`). The generations and the entry are read together
(one `MGET` on Redis), so a hit costs one round trip to the cache, and a hit is served
as the stored bytes, never re-serialized; most hits are answered before the app runs
(`shortcut`).

Every cached GET carries an `ETag` and `X-Cache: HIT|MISS`; `If-None-Match` with the
current tag answers `304` without a body. The cache is an optimisation only: when its
backend fails, the request is served uncached and a warning is logged.
"""

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps

from flask import current_app, request
from flask_caching import Cache
from werkzeug import Request, Response

from .auth import current_user_id

#: The Flask-Caching extension; `create_app` binds it. No templates are rendered, so the
#: Jinja environment that its `{% cache %}` tag would need is never built.
cache = Cache(with_jinja2_ext=False)

GENERATION_KEY = "cache-generation:{}"
#: Any lifetime is correct (a lost generation only costs misses); this one bounds memory.
GENERATION_TTL = 24 * 3600
#: The methods cached by default, and those a matching `If-None-Match` answers with 304.
READS = frozenset({"GET", "HEAD"})
#: Headers that describe one transfer, not the stored representation.
_TRANSIENT_HEADERS = {"content-length", "set-cookie"}


def _safely(action: str, operation: Callable, default=None):
    """Run one cache operation; a broken cache backend is logged, never fatal."""
    try:
        return operation()
    except Exception as exc:  # any backend failure: the cache must not fail a request
        current_app.logger.warning("cache %s failed, bypassing the cache: %s", action, exc)
        return default


def _generation_key(scope: str) -> str:
    return GENERATION_KEY.format(scope)


#: Where `read_entry` leaves what it read in the WSGI environ of a request `shortcut` did
#: not answer, so that `cached` does not read the same entry again (one MGET per miss).
_EARLIER_READ = "contacts_api.cache_read"


def read_entry(scopes: tuple[str, ...], key: str, environ: dict | None = None
               ) -> tuple[tuple | None, tuple | None]:
    """The current generations of `scopes` and the entry at `key`, in one MGET on Redis.

    A generation not set yet reads as None, which no entry is stamped with. With an
    `environ`, the read is kept there for this request's `cached` view.
    """
    *generations, stored = cache.get_many(*(_generation_key(scope) for scope in scopes), key)
    if environ is not None:
        environ[_EARLIER_READ] = (scopes, key, tuple(generations), stored)
    return tuple(generations), stored


def _read(scopes: tuple[str, ...], key: str, environ: dict
          ) -> tuple[tuple | None, tuple | None]:
    """`read_entry` (unless this request already read the entry), creating the generations
    not set yet. (None, None) when the cache is down."""

    def read_or_create():
        earlier = environ.pop(_EARLIER_READ, None)
        if earlier is not None and earlier[:2] == (scopes, key):
            generations, stored = earlier[2:]
        else:
            generations, stored = read_entry(scopes, key)
        if None not in generations:
            return generations, stored
        for scope, generation in zip(scopes, generations, strict=True):
            if generation is None:
                cache.add(_generation_key(scope), uuid.uuid4().hex, timeout=GENERATION_TTL)
        return tuple(cache.get_many(*(_generation_key(scope) for scope in scopes))), None

    return _safely("read", read_or_create, (None, None))


def _renew(scope: str) -> None:
    _safely("invalidation",
            lambda: cache.set(_generation_key(scope), uuid.uuid4().hex, timeout=GENERATION_TTL))


def invalidate_user(user_id: uuid.UUID) -> None:
    """Drop every cached response of this user (call after the write has committed)."""
    _renew(user_id.hex)


#: The scope of the `/1/` network as a whole, part of every `/1/` entry's stamp: a `/1/`
#: response embeds other users (their profiles, mutual contact counts, who blocked whom),
#: so one user's write can change what any viewer sees.
NETWORK = "network"


def invalidate_network() -> None:
    """Drop every cached `/1/` response of every user (call after the write has committed)."""
    _renew(NETWORK)


def response_key(user_id: uuid.UUID, environ: dict, vary: str = "") -> str:
    """The key of `user_id`'s cached response to the request of this WSGI `environ`.

    Read from the environ as it arrives (after ProxyFix), with the query's parts sorted
    undecoded: the same on the full path and in `shortcut`, and cheap. Two spellings of
    one URL get two entries, which costs a miss, never a wrong answer. The origin is part
    of the key: stored `Link` headers carry absolute URLs.
    """
    query = "&".join(sorted(environ.get("QUERY_STRING", "").split("&")))
    raw = "\x1f".join((user_id.hex, environ["wsgi.url_scheme"], environ.get("HTTP_HOST", ""),
                       environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), query,
                       vary))
    return "response:" + hashlib.sha256(raw.encode()).hexdigest()


def _etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def fresh(stored: tuple | None, generations: tuple) -> tuple[bytes, list, str] | None:
    """The body, headers and ETag of a `stored` entry stamped with the current
    `generations`; None when there is no entry or it is stale."""
    if stored is None or stored[0] != generations:
        return None
    return stored[1:]


def replay(hit: tuple[bytes, list, str], incoming: Request,
           response_class: type[Response]) -> Response:
    """The response a `fresh` entry gives the `incoming` request (a 304 if it matches)."""
    body, headers, etag = hit
    return _served(response_class(body, headers=headers), etag, "HIT", incoming)


def _describe(response: Response, etag: str) -> None:
    """The headers of every cached response, stored with it."""
    response.set_etag(etag)
    # Per-user content: no shared cache may keep it, and clients revalidate with the ETag.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Authorization")


def _served(response: Response, etag: str, source: str, incoming: Request) -> Response:
    response.headers["X-Cache"] = source
    if incoming.method in READS and incoming.if_none_match.contains_weak(etag):
        response.status_code = 304
        response.set_data(b"")
        response.headers.pop("Content-Type", None)
        response.headers.pop("Content-Length", None)
    return response


def cached(timeout: int, vary: Callable[..., str | None] | None = None,
           shared: tuple[str, ...] = (), owner: Callable[[], uuid.UUID] = current_user_id,
           methods: frozenset[str] = READS):
    """Cache a view's 200 responses per user for `timeout` seconds.

    `vary`, called with the view's arguments, returns extra key material for responses
    that depend on more than the request (upcoming birthdays depend on today's date);
    None means the response cannot be cached now, and it is served uncached. `shared`
    names scopes besides the user whose writes end the entry too (`NETWORK`). `owner`
    names the user whose data the response is (the caller; a secret feed URL names its
    user), and may raise the view's 401 or 404. `methods` are those cached: a `POST` whose
    `vary` proves it changes nothing may share the entry of the `GET` it answers like.
    Put it below `login_required`: only authenticated calls are cached.
    """

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            if request.method not in methods:
                return func(*args, **kwargs)
            user_id = owner()
            extra = vary(*args, **kwargs) if vary else ""
            generation = None
            if extra is not None:
                key = response_key(user_id, request.environ, extra)
                generation, stored = _read((user_id.hex, *shared), key, request.environ)
                hit = fresh(stored, generation)
                if hit is not None:
                    return replay(hit, request, current_app.response_class)

            response = current_app.make_response(func(*args, **kwargs))
            if response.status_code != 200 or response.direct_passthrough:
                return response
            body = response.get_data()
            etag = _etag(body)
            _describe(response, etag)
            if generation is not None:
                headers = [(k, v) for k, v in response.headers.items()
                           if k.lower() not in _TRANSIENT_HEADERS]
                entry = (generation, body, headers, etag)
                _safely("write", lambda: cache.set(key, entry, timeout=timeout))
            return _served(response, etag, "MISS", request)

        if vary is None and owner is current_user_id and "GET" in methods:
            # What `shortcut.CachedReads` needs to answer a hit before the app runs.
            wrapper.shortcut_scopes = shared
        return wrapper

    return decorator
