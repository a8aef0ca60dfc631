"""The WebDAV properties of each kind of resource, and how their values are built.

A property is a function of the `Scope` (the caller and what is computed once per
request, like the book's sync token) and the resource: a card is a row of the columns
`service.LISTED`, never a rendered vCard, so a Depth 1 PROPFIND of a large book reads
three columns per card.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from flask import current_app
from werkzeug.http import http_date

from . import resources, service, sync
from .resources import Kind, Resource
from .xml import CALENDARSERVER, CARDDAV, DAV, element, href, tag

DISPLAY_NAMES = {Kind.ROOT: "CardDAV", Kind.PRINCIPAL: "Principal",
                 Kind.HOME: "Address books", Kind.BOOK: "Contacts"}
REPORTS = [(CARDDAV, "addressbook-multiget"), (CARDDAV, "addressbook-query"),
           (DAV, "sync-collection")]
PRIVILEGES = ["read", "write", "write-content", "bind", "unbind",
              "read-current-user-privilege-set"]
CARD_TYPE = "text/vcard; charset=utf-8"


@dataclass
class Scope:
    """What one request's properties share."""

    owner_id: object

    @cached_property
    def book_token(self) -> str:
        return sync.book_token(self.owner_id)


def _resourcetype(scope, resource, card):
    node = element(tag(DAV, "resourcetype"))
    if resource.is_collection:
        node.append(element(tag(DAV, "collection")))
    if resource.kind is Kind.BOOK:
        node.append(element(tag(CARDDAV, "addressbook")))
    if resource.kind is Kind.PRINCIPAL:
        node.append(element(tag(DAV, "principal")))
    return node


def _displayname(scope, resource, card):
    return element(tag(DAV, "displayname"), DISPLAY_NAMES[resource.kind])


def _principal(name):
    def build(scope, resource, card):
        return element(tag(DAV, name), None, href(resources.principal_path(scope.owner_id)))
    return build


def _home_set(scope, resource, card):
    return element(tag(CARDDAV, "addressbook-home-set"), None,
                   href(resources.home_path(scope.owner_id)))


def _privileges(scope, resource, card):
    privileges = [element(tag(DAV, "privilege"), None, element(tag(DAV, name)))
                  for name in PRIVILEGES]
    return element(tag(DAV, "current-user-privilege-set"), None, *privileges)


def _reports(scope, resource, card):
    reports = [element(tag(DAV, "supported-report"), None,
                       element(tag(DAV, "report"), None, element(tag(namespace, name))))
               for namespace, name in REPORTS]
    return element(tag(DAV, "supported-report-set"), None, *reports)


def _address_data_types(scope, resource, card):
    types = []
    for version in ("3.0", "4.0"):
        node = element(tag(CARDDAV, "address-data-type"))
        node.set("content-type", "text/vcard")
        node.set("version", version)
        types.append(node)
    return element(tag(CARDDAV, "supported-address-data"), None, *types)


def _token(namespace, name):
    def build(scope, resource, card):
        return element(tag(namespace, name), scope.book_token)
    return build


def _max_size(scope, resource, card):
    return element(tag(CARDDAV, "max-resource-size"),
                   str(current_app.config["MAX_CONTENT_LENGTH"]))


def _etag(scope, resource, card):
    return element(tag(DAV, "getetag"), f'"{service.etag(card)}"')


def _content_type(scope, resource, card):
    return element(tag(DAV, "getcontenttype"), CARD_TYPE)


def _last_modified(scope, resource, card):
    return element(tag(DAV, "getlastmodified"), http_date(card.updated_at))


Builder = Callable[[Scope, Resource, object], object]
_EVERYWHERE: dict[str, Builder] = {
    tag(DAV, "resourcetype"): _resourcetype,
    tag(DAV, "current-user-principal"): _principal("current-user-principal"),
    tag(DAV, "current-user-privilege-set"): _privileges,
}
_COLLECTION: dict[str, Builder] = {
    **_EVERYWHERE,
    tag(DAV, "displayname"): _displayname,
    tag(DAV, "principal-URL"): _principal("principal-URL"),
    tag(DAV, "owner"): _principal("owner"),
    tag(CARDDAV, "addressbook-home-set"): _home_set,
}
PROPERTIES: dict[Kind, dict[str, Builder]] = {
    Kind.ROOT: _COLLECTION,
    Kind.PRINCIPAL: _COLLECTION,
    Kind.HOME: _COLLECTION,
    Kind.BOOK: {
        **_COLLECTION,
        tag(DAV, "supported-report-set"): _reports,
        tag(CARDDAV, "supported-address-data"): _address_data_types,
        tag(CARDDAV, "max-resource-size"): _max_size,
        tag(CALENDARSERVER, "getctag"): _token(CALENDARSERVER, "getctag"),
        tag(DAV, "sync-token"): _token(DAV, "sync-token"),
    },
    Kind.CARD: {
        **_EVERYWHERE,
        tag(DAV, "getetag"): _etag,
        tag(DAV, "getcontenttype"): _content_type,
        tag(DAV, "getlastmodified"): _last_modified,
    },
}


def values(scope: Scope, resource: Resource, names: list[str] | None, card=None,
           extra: dict[str, Builder] | None = None) -> tuple[list, list[str]]:
    """(the elements of the `names` this resource has, the names it has not);
    every property it has when `names` is None (`allprop`)."""
    table = {**PROPERTIES[resource.kind], **(extra or {})}
    wanted = list(table) if names is None else names
    found = [table[name](scope, resource, card) for name in wanted if name in table]
    return found, [name for name in wanted if name not in table]


def names_of(resource: Resource) -> list:
    """`propname`: the empty elements of every property the resource has."""
    return [element(name) for name in PROPERTIES[resource.kind]]
