"""OPTIONS: what this server speaks (asked before authentication by some clients)."""

from flask import Response

ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT"
DAV_CLASSES = "1, 3, addressbook"


def options() -> Response:
    return Response(status=200, headers={"DAV": DAV_CLASSES, "Allow": ALLOW,
                                         "Content-Length": "0"})
