"""Request parsing: one body location for JSON, form-urlencoded and multipart alike.

Views declare `@blp.arguments(Schema)` and receive validated data whichever of the
three encodings the client chose. How a validation failure is reported differs per
surface: `/api/` answers 422 with a per-field map, `/1/` answers the seed's 400 codes.
"""

from collections.abc import Mapping

import orjson
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from .errors import ApiError, BadRequest, flatten_messages

FORM_MIMETYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def contains_nul(value) -> bool:
    """True when any string in a parsed body holds a NUL character.

    PostgreSQL cannot store NUL in text, so such input is refused up front as a 400
    rather than reaching the database as an error. Iterative: JSON nested a thousand
    levels deep must not exhaust the recursion limit.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


class BodyParser(FlaskParser):
    """webargs' Flask parser with a `body` location and strict, safe JSON decoding."""

    DEFAULT_LOCATION = "body"
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "body": None}
    __location_map__ = {**FlaskParser.__location_map__, "body": "load_body"}

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        data = req.get_data(cache=True)
        if not data.strip():
            return core.missing
        try:
            # orjson refuses invalid UTF-8, NaN and nesting deeper than 1024 levels,
            # so no body can exhaust the recursion limit.
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise BadRequest(detail="Malformed JSON body") from exc

    def load_body(self, req, schema):
        """The request body as JSON, or as form fields for the two form encodings."""
        mimetype = req.mimetype
        if is_json_request(req):
            data = self.load_json(req, schema)
        elif mimetype in FORM_MIMETYPES:
            data = self._makeproxy(req.form, schema)
        elif not req.content_length and not req.get_data(cache=True):
            data = core.missing
        else:
            raise BadRequest(
                detail=f"Unsupported Content-Type '{mimetype}': send application/json, "
                "application/x-www-form-urlencoded or multipart/form-data"
            )
        raw = data if not isinstance(data, core.MultiDictProxy) else req.form.to_dict(flat=False)
        if data is not core.missing and contains_nul(raw):
            raise BadRequest(detail="NUL characters are not allowed")
        return data


class NetworkParser(BodyParser):
    """The `/1/` parser: a failed field becomes the seed's error code for it.

    missing → `missing_required_argument`, bad id → `invalid_id`, bad email →
    `invalid_email`, bad date → `invalid_date` (the last three with the rejected value
    as detail), anything else → `invalid_argument` with the argument's name.
    """

    DEFAULT_VALIDATION_STATUS = 400

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = flatten_messages(error.messages)
        for name, field in schema.fields.items():
            key = field.data_key or name
            if key in messages:
                raise self._translate(field, key, messages[key], req)
        unknown = next(iter(messages), "_schema")
        raise ApiError(400, "invalid_argument", unknown)

    @staticmethod
    def _translate(field, key, field_messages, req) -> ApiError:
        if field.error_messages["required"] in field_messages:
            return ApiError(400, "missing_required_argument", key)
        raw = req.values.get(key)
        if raw is None and is_json_request(req):
            body = req.get_json(silent=True)
            raw = body.get(key) if isinstance(body, dict) else None
        code = getattr(getattr(field, "inner", field), "network_error", None)
        if code is not None:
            return ApiError(400, code, raw)
        return ApiError(400, "invalid_argument", key)


