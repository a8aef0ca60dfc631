"""PROPFIND: properties of a resource, and of its members at Depth 1."""

from flask import Response, request

from .. import properties, service
from ..errors import DavError
from ..properties import Scope
from ..resources import Kind, Resource, path_of
from ..xml import DAV, multistatus, read_body, response, tag

FINITE_DEPTH = "{DAV:}propfind-finite-depth"


def depth() -> str:
    """`0` or `1`; no header means 1 (as sabre/dav answers); `infinity` is refused."""
    value = request.headers.get("Depth", "1").strip().lower()
    if value == "infinity":
        raise DavError(403, "Depth infinity is not supported", FINITE_DEPTH)
    if value not in {"0", "1"}:
        raise DavError(400, "Depth must be 0 or 1")
    return value


def requested() -> tuple[str, list[str] | None]:
    """("prop", names) or ("allprop", None) or ("propname", None), from the body."""
    body = read_body()
    if body is None:
        return "allprop", None
    if body.tag != tag(DAV, "propfind"):
        raise DavError(400, "PROPFIND needs a DAV:propfind body")
    for child in body:
        if child.tag == tag(DAV, "prop"):
            return "prop", [prop.tag for prop in child]
        if child.tag in (tag(DAV, "allprop"), tag(DAV, "propname")):
            return child.tag.partition("}")[2], None
    raise DavError(400, "PROPFIND needs prop, allprop or propname")


def members(resource: Resource) -> list[tuple[Resource, object]]:
    """The resource (with its card row, if it is a card), then its members at Depth 1."""
    if resource.kind is Kind.CARD:
        card = service.cards_named(resource.owner_id, [resource.name]).get(resource.name)
        if card is None:
            raise DavError(404, "No such card")
        return [(resource, card)]
    found = [(resource, None)]
    if depth() == "1":
        if resource.kind is Kind.HOME:
            found.append((Resource(Kind.BOOK, resource.owner_id), None))
        elif resource.kind is Kind.BOOK:
            found.extend((Resource(Kind.CARD, resource.owner_id, service.resource_name(card)),
                          card) for card in service.listed_cards(resource.owner_id))
    return found


def propfind(resource: Resource) -> Response:
    depth()
    mode, names = requested()
    scope = Scope(resource.owner_id)

    def answer(member: Resource, card):
        path = path_of(member)
        if mode == "propname":
            return response(path, properties.names_of(member))
        found, missing = properties.values(scope, member, names, card)
        return response(path, found, missing)

    return multistatus(answer(member, card) for member, card in members(resource))
