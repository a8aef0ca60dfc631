"""DELETE: remove a card (its tombstone tells every sync), honouring If-Match."""

from flask import Response, request

from .. import service
from ..errors import DavError
from ..resources import Resource


def delete(resource: Resource) -> Response:
    if resource.is_collection:
        raise DavError(403, "The address book itself cannot be deleted")
    service.delete_card(resource.owner_id, resource.name, request.if_match)
    return Response(status=204)
