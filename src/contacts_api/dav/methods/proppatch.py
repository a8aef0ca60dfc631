"""PROPPATCH: every property is read-only here; each one asked for is answered 403."""

from flask import Response

from .. import service
from ..errors import DavError
from ..resources import Resource, path_of
from ..xml import DAV, element, multistatus, read_body, response, status_line, tag


def proppatch(resource: Resource) -> Response:
    if not resource.is_collection and service.find_card(resource.owner_id,
                                                        resource.name) is None:
        raise DavError(404, "No such card")
    body = read_body()
    if body is None or body.tag != tag(DAV, "propertyupdate"):
        raise DavError(400, "PROPPATCH needs a DAV:propertyupdate body")
    names = [prop.tag for action in body for holder in action for prop in holder]
    node = response(path_of(resource))
    if names:
        node.append(element(tag(DAV, "propstat"), None,
                            element(tag(DAV, "prop"), None, *(element(n) for n in names)),
                            status_line(403)))
    return multistatus([node])
