"""CardDAV (API.md §6): the address book served to iOS, DAVx⁵ and Thunderbird at `/dav/`.

A plain Flask blueprint, not part of the OpenAPI document: WebDAV's methods and XML
bodies are outside what OpenAPI describes (see docs/carddav.md). Every path under
`/dav/` reaches `dispatch`, which hands the resolved resource to the module of its
method, so errors anywhere under `/dav/` are rendered the DAV way (`errors.py`).
"""

from flask import Blueprint, redirect, request
from werkzeug.exceptions import HTTPException

from .errors import DavError, render_error
from .methods.delete import delete
from .methods.get import get
from .methods.options import ALLOW, options
from .methods.propfind import propfind
from .methods.proppatch import proppatch
from .methods.put import put
from .methods.report import report
from .resources import resolve, root_path

HANDLERS = {"GET": get, "HEAD": get, "PUT": put, "DELETE": delete, "PROPFIND": propfind,
            "PROPPATCH": proppatch, "REPORT": report}
#: Routed so that a method we do not serve is a DAV 405, not the API's JSON one.
ROUTED = [*HANDLERS, "OPTIONS", "POST", "PATCH", "MKCOL", "MKCALENDAR", "COPY", "MOVE",
          "LOCK", "UNLOCK", "ACL", "SEARCH"]

blp = Blueprint("dav", __name__)
#: Basic first: it is what DAV clients send (see `http.auth.accepted_schemes`).
blp.auth_schemes = ("basic", "bearer")
blp.register_error_handler(HTTPException, render_error)


@blp.route("/.well-known/carddav", methods=ROUTED, provide_automatic_options=False)
def well_known():
    """RFC 6764: clients given only the host name find the service here."""
    return redirect(root_path(), 301)


@blp.route("/dav/", defaults={"path": ""}, methods=ROUTED, provide_automatic_options=False)
@blp.route("/dav/<path:path>", methods=ROUTED, provide_automatic_options=False)
def dispatch(path: str):
    """Every method on every `/dav/` path: the module of the method serves the resource."""
    if request.method == "OPTIONS":
        return options()
    handler = HANDLERS.get(request.method)
    if handler is None:
        raise DavError(405, "Method not allowed", headers={"Allow": ALLOW})
    return handler(resolve(path))
