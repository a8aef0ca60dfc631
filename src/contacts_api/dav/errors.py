"""How `/dav/` answers errors: DAV clients read status codes, not the API's JSON.

Every error under `/dav/` (ours, werkzeug's, the limiter's, authentication's) is
rendered here: a failed precondition as the RFC 4918 `D:error` XML body naming it, any
other error as one line of plain text. A 401 offers Basic, the only scheme DAV clients
try (Bearer is accepted all the same).
"""

from xml.etree import ElementTree as ET  # noqa: N817 - building only

from flask import Response
from werkzeug.exceptions import HTTPException, InternalServerError

from ..http.auth import BASIC_REALM
from ..http.errors import DETAILS_BY_STATUS, ApiError

XML_CONTENT_TYPE = "application/xml; charset=utf-8"


class DavError(ApiError):
    """A DAV error status, with the precondition (`{namespace}name`) it failed, if any."""

    def __init__(self, status: int, detail: str | None = None, condition: str | None = None,
                 headers=None):
        super().__init__(status, detail=detail, headers=headers)
        self.condition = condition


def condition_body(condition: str) -> bytes:
    """The `D:error` body naming a failed precondition (RFC 4918 §16), e.g. `{DAV:}…`."""
    root = ET.Element("{DAV:}error")
    ET.SubElement(root, condition)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def render_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if isinstance(exc, InternalServerError):
        status = 500
    condition = getattr(exc, "condition", None)
    if condition:
        response = Response(condition_body(condition), status, content_type=XML_CONTENT_TYPE)
    else:
        detail = exc.detail if isinstance(exc, ApiError) else None
        text = detail or DETAILS_BY_STATUS.get(status) or exc.name
        response = Response(f"{text}\n", status, content_type="text/plain; charset=utf-8")
    headers = exc.extra_headers if isinstance(exc, ApiError) else dict(exc.get_headers())
    for name, value in headers.items():
        if name.lower() != "content-type":
            response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = BASIC_REALM
    return response
