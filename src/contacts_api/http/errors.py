"""The one error format of both surfaces: `{"error": code, "detail": ...}`.

Domain code raises `ApiError` (or a subclass); werkzeug, webargs, Flask-Limiter and
the database raise their own exceptions. Every one of them is rendered here, so no
response anywhere carries a stack trace, SQL or a submitted password.
"""

from flask import current_app, jsonify
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

# Error codes for statuses that the seeds' tables do not name.
CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}

DETAILS_BY_STATUS = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported content type",
    422: "Validation error",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


#: `detail` not given: the status's own message. (`None` is a value: a rejected `null`.)
DEFAULT_DETAIL = object()


class ApiError(HTTPException):
    """An error the API answers with on purpose: a status, a code and a detail."""

    def __init__(self, status: int, error: str | None = None, detail=DEFAULT_DETAIL, *,
                 errors=None, headers=None):
        if detail is DEFAULT_DETAIL:
            detail = DETAILS_BY_STATUS.get(status)
        super().__init__(description=detail)
        self.code = status
        self.error = error or CODES_BY_STATUS.get(status, "error")
        self.detail = detail
        self.errors = errors
        self.extra_headers = headers or {}


class NotFound(ApiError):
    def __init__(self, detail="Not found"):
        super().__init__(404, "not_found", detail)


class Conflict(ApiError):
    def __init__(self, detail="Conflict"):
        super().__init__(409, "conflict", detail)


class Forbidden(ApiError):
    def __init__(self, error="forbidden", detail="Forbidden"):
        super().__init__(403, error, detail)


class BadRequest(ApiError):
    def __init__(self, error="bad_request", detail="Bad request"):
        super().__init__(400, error, detail)


class InvalidId(ApiError):
    """An id that is neither 32 hex characters nor a hyphenated UUID."""

    def __init__(self, value):
        super().__init__(400, "invalid_id", value)


class ValidationFailed(ApiError):
    """422 with the per-field messages and a one-line summary of them."""

    def __init__(self, errors: dict):
        super().__init__(422, "validation_error", summarize(errors), errors=errors)


def summarize(errors: dict) -> str:
    """One line naming every field that failed, e.g. `email: Not a valid email address.`"""
    parts = []
    for field, messages in errors.items():
        text = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
        parts.append(f"{field}: {text}")
    return "; ".join(parts) or "Invalid input"


def flatten_messages(messages) -> dict:
    """webargs nests messages by location (`{"json": {"email": [...]}}`); clients want fields."""
    if not isinstance(messages, dict):
        return {"_schema": [str(messages)]}
    flat = {}
    for key, value in messages.items():
        if key in {"json", "form", "query", "body", "files", "headers", "view_args"} and isinstance(
            value, dict
        ):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def error_response(status: int, error: str, detail, *, errors=None, headers=None):
    payload = {"error": error, "detail": detail}
    if errors is not None:
        payload["errors"] = errors
    response = jsonify(payload)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_http_exception(exc: HTTPException):
    """Render any HTTPException (ours, werkzeug's, webargs', Flask-Limiter's)."""
    if isinstance(exc, ApiError):
        return error_response(
            exc.code, exc.error, exc.detail, errors=exc.errors, headers=exc.extra_headers
        )
    if isinstance(exc, InternalServerError):
        # Flask has already logged the original exception with its traceback.
        return error_response(500, "internal_error", DETAILS_BY_STATUS[500])
    status = exc.code or 500
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    data = getattr(exc, "data", None) or {}
    if status == 422 and "messages" in data:
        errors = flatten_messages(data["messages"])
        return error_response(422, "validation_error", summarize(errors), errors=errors,
                              headers=headers)
    detail = DETAILS_BY_STATUS.get(status) or exc.name
    if status == 429:
        detail = f"Rate limit exceeded: {exc.description}"
    return error_response(status, CODES_BY_STATUS.get(status, "error"), detail, headers=headers)


def handle_database_unavailable(exc: DBAPIError):
    """A lost or refused database connection is a 503, not a 500; anything else is a bug."""
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        current_app.logger.warning("database unavailable: %s", type(exc.orig).__name__)
        return error_response(503, "unavailable", "Database unavailable")
    raise exc


def register_error_handlers(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_database_unavailable)
