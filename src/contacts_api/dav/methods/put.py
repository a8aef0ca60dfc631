"""PUT: create or replace a card from one vCard (3.0 or 4.0) under a client-chosen name."""

from flask import Response, request

from .. import service
from ..errors import DavError
from ..resources import Resource

#: Clients send vCards as `text/vcard`, older ones as `text/x-vcard` or `text/directory`.
CARD_TYPES = {"text/vcard", "text/x-vcard", "text/directory"}


def put(resource: Resource) -> Response:
    if resource.is_collection:
        raise DavError(405, "Cards are written one at a time, to a name in the address book")
    if request.mimetype and request.mimetype not in CARD_TYPES:
        raise DavError(415, "A card is sent as text/vcard", service.SUPPORTED_ADDRESS_DATA)
    text = service.card_text(request.get_data(),
                             request.mimetype_params.get("charset", "utf-8"))
    created, etag = service.put_card(resource.owner_id, resource.name, text,
                                     request.if_match, request.if_none_match)
    return Response(status=201 if created else 204, headers={"ETag": f'"{etag}"'})
