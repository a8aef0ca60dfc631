"""JSON out: compact UTF-8 `application/json`, or indented `text/javascript` with `pretty=1`."""

import orjson
from flask import has_request_context, request
from flask.json.provider import JSONProvider

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
PRETTY_CONTENT_TYPE = "text/javascript; charset=utf-8"


def wants_pretty() -> bool:
    return has_request_context() and request.args.get("pretty") in {"1", "true"}


class OrjsonProvider(JSONProvider):
    """Flask's JSON provider on orjson: the same output, several times faster."""

    def dumps(self, obj, **kwargs) -> str:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()

    def loads(self, s, **kwargs):
        return orjson.loads(s)

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        pretty = wants_pretty()
        option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if pretty else 0)
        body = orjson.dumps(obj, option=option)
        if pretty:
            body += b"\n"
        return self._app.response_class(
            body, content_type=PRETTY_CONTENT_TYPE if pretty else JSON_CONTENT_TYPE
        )


def attachment(chunks, content_type: str, filename: str):
    """A streamed download: `chunks` (an iterator of text) are sent as they are made, with
    the request context kept for them, so a large export never sits in memory whole."""
    from flask import Response, stream_with_context

    return Response(stream_with_context(chunks), content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
