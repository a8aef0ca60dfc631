"""REPORT: `addressbook-multiget`, `addressbook-query` and `sync-collection` (RFC 6578)."""

from flask import Response

from ...addressbook import vcard
from .. import properties, query, service, sync
from ..errors import DavError
from ..properties import Scope
from ..resources import Kind, Resource, book_path, card_path, resolve_href
from ..xml import CARDDAV, DAV, element, multistatus, read_body, response, tag

ADDRESS_DATA = tag(CARDDAV, "address-data")
SUPPORTED_REPORT = "{DAV:}supported-report"
VERSIONS = {None, "3.0", "4.0"}
#: The largest `nresults` honoured: one more (asked for to see whether more follow) still
#: fits the 64-bit LIMIT of SQLite and PostgreSQL, and no book holds that many cards.
MAX_RESULTS = 2**63 - 2


class Wanted:
    """The properties a REPORT asks for of each card, `address-data` among them."""

    def __init__(self, body):
        prop = body.find(tag(DAV, "prop"))
        self.names = [p.tag for p in prop] if prop is not None else [tag(DAV, "getetag")]
        requested = prop.find(ADDRESS_DATA) if prop is not None else None
        self.full = requested is not None
        version = requested.get("version") if requested is not None else None
        if version not in VERSIONS:
            raise DavError(403, "vCard 3.0 and 4.0 only", service.SUPPORTED_ADDRESS_DATA)

        def address_data(scope, resource, card):
            return element(ADDRESS_DATA, vcard.render_card(card, version))

        self.extra = {ADDRESS_DATA: address_data}

    def answer(self, scope: Scope, card) -> object:
        resource = Resource(Kind.CARD, scope.owner_id, service.resource_name(card))
        found, missing = properties.values(scope, resource, self.names, card, self.extra)
        return response(card_path(scope.owner_id, resource.name), found, missing)


def multiget(scope: Scope, body) -> Response:
    wanted = Wanted(body)
    hrefs = [node.text or "" for node in body.findall(tag(DAV, "href"))]
    targets = {href: resolve_href(href) for href in hrefs}
    names = [t.name for t in targets.values() if t is not None and t.kind is Kind.CARD]
    cards = service.cards_named(scope.owner_id, names, wanted.full)
    answers = []
    for href in hrefs:
        target = targets[href]
        card = cards.get(target.name) if target is not None and target.kind is Kind.CARD else None
        answers.append(wanted.answer(scope, card) if card is not None
                       else response(href, status=404))
    return multistatus(answers)


def limit(node) -> int | None:
    """`<limit><nresults>n</nresults></limit>` (DAV: or CardDAV namespace), or None.

    ASCII digits only (`isdigit` alone admits `²`, which `int` refuses). A number beyond
    `MAX_RESULTS` is no practical limit, so it is clamped there: the database's LIMIT is a
    64-bit integer, and `int` refuses numbers of over 4300 digits."""
    if node is None:
        return None
    text = next((child.text for child in node if child.tag.endswith("}nresults")), None)
    digits = (text or "").strip()
    if not (digits.isascii() and digits.isdigit()) or not digits.strip("0"):
        raise DavError(400, "nresults must be a positive number")
    digits = digits.lstrip("0")
    return MAX_RESULTS if len(digits) > len(str(MAX_RESULTS)) else min(int(digits), MAX_RESULTS)


def addressbook_query(scope: Scope, body) -> Response:
    wanted = Wanted(body)
    condition = query.clause(body.find(tag(CARDDAV, "filter")))
    conditions = [condition] if condition is not None else []
    most = limit(body.find(tag(CARDDAV, "limit")))
    found = service.full_cards if wanted.full else service.listed_cards
    cards = found(scope.owner_id, *conditions, limit=most + 1 if most else None)
    answers = [wanted.answer(scope, card) for card in cards[:most]]
    if most is not None and len(cards) > most:
        answers.append(response(book_path(scope.owner_id), status=507))
    return multistatus(answers)


def sync_collection(scope: Scope, body) -> Response:
    wanted = Wanted(body)
    level = (body.findtext(tag(DAV, "sync-level")) or "1").strip()
    if level not in {"1", "infinite"}:
        raise DavError(400, "sync-level must be 1")
    token = (body.findtext(tag(DAV, "sync-token")) or "").strip()
    changes = sync.changes_since(scope.owner_id, token, wanted.full,
                                    limit(body.find(tag(DAV, "limit"))))
    answers = [wanted.answer(scope, card) for card in changes.cards]
    answers += [response(card_path(scope.owner_id, name), status=404)
                for name in changes.deleted]
    if changes.truncated:
        answers.append(response(book_path(scope.owner_id), status=507))
    return multistatus(answers, sync_token=changes.token)


REPORTS = {
    tag(CARDDAV, "addressbook-multiget"): multiget,
    tag(CARDDAV, "addressbook-query"): addressbook_query,
    tag(DAV, "sync-collection"): sync_collection,
}


def report(resource: Resource) -> Response:
    body = read_body()
    if body is None:
        raise DavError(400, "REPORT needs a body")
    handler = REPORTS.get(body.tag)
    if handler is None or resource.kind is not Kind.BOOK:
        raise DavError(403, "Unsupported report", SUPPORTED_REPORT)
    return handler(Scope(resource.owner_id), body)
