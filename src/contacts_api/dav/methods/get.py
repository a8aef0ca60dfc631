"""GET and HEAD: a card's vCard, in the version it was stored in."""

from flask import Response, request
from werkzeug.http import http_date

from ...addressbook import vcard
from .. import service
from ..errors import DavError
from ..properties import CARD_TYPE
from ..resources import Resource

COLLECTION_TEXT = "A CardDAV collection: add this server's address to a CardDAV client.\n"


def get(resource: Resource) -> Response:
    if resource.is_collection:
        return Response(COLLECTION_TEXT, content_type="text/plain; charset=utf-8")
    card = service.cards_named(resource.owner_id, [resource.name], full=True).get(resource.name)
    if card is None:
        raise DavError(404, "No such card")
    etag = service.etag(card)
    headers = {"ETag": f'"{etag}"', "Last-Modified": http_date(card.updated_at),
               "Cache-Control": "private, no-cache"}
    if etag in request.if_none_match:
        return Response(status=304, headers=headers)
    return Response(vcard.render_card(card), content_type=CARD_TYPE, headers=headers)
