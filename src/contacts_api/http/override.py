"""HTTP method override: `POST /path?method=delete` is handled as `DELETE /path`.

Done as WSGI middleware so routing, method checks and rate limits all see the
overriding method; only POST can be overridden, and only to DELETE, PUT or PATCH.
"""

from urllib.parse import parse_qsl

OVERRIDABLE = {"DELETE", "PUT", "PATCH"}


class MethodOverrideMiddleware:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and "method=" in environ.get("QUERY_STRING", ""):
            query = dict(parse_qsl(environ["QUERY_STRING"]))
            method = query.get("method", "").upper()
            if method in OVERRIDABLE:
                environ["REQUEST_METHOD"] = method
        return self.wsgi_app(environ, start_response)
